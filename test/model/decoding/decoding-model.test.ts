import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { bigramProbability } from '../../../src/model/decoding/bigram.js';
import {
  addTrainingUtterance,
  decodeDecodingModel,
  decodingStatistics,
  encodeDecodingModel,
  estimateDecodingModel,
  priorsOf,
  type DecodingModel,
} from '../../../src/model/decoding/decoding-model.js';
import { lexicon } from '../../../src/model/corpus/lexicon.js';
import { stateInventory } from '../../../src/model/corpus/states.js';
import { plainMsgpack } from '../../../src/model/formats/tensors.js';

const inventory = stateInventory(['a', 'b']); // sil 0–2, a 3–5, b 6–8
const entries = lexicon([
  { word: 'x', phones: ['a'] },
  { word: 'y', phones: ['b'] },
  { word: 'y', phones: ['a', 'b'] },
]);

function model(): DecodingModel {
  const stats = decodingStatistics(inventory, entries);
  const utterances: [number[], string[]][] = [
    [[0, 1, 2, 3, 3, 4, 5, 0, 1, 2, 6, 7, 8, 8, 0, 1, 2], ['x', 'y']],
    [[0, 1, 2, 6, 7, 7, 8, 0, 1, 2], ['y']],
  ];
  for (const [alignment, words] of utterances) {
    const added = addTrainingUtterance(stats, Int32Array.from(alignment), words);
    if (E.isLeft(added)) throw new Error(added.left);
  }
  return estimateDecodingModel(stats, { silenceFactor: 2 });
}

/** Through MessagePack and back, as in a checkpoint file. */
const roundTrip = (m: DecodingModel, states = 9) => decodeDecodingModel(plainMsgpack.unpack(plainMsgpack.pack(encodeDecodingModel(m))), states);

describe('estimateDecodingModel', () => {
  it('counts states, runs, silences and sentences of the training utterances', () => {
    const m = model();
    expect(Array.from(m.stateCounts)).toEqual([5, 5, 5, 2, 1, 1, 2, 3, 3]);
    // state 3: one self-loop, one exit → (1+1)/(2+2)
    expect(m.transitions[2 * 3]).toBeCloseTo(0.5, 6);
    // state 7: one self-loop (second utterance), two exits → 2/5
    expect(m.transitions[2 * 7]).toBeCloseTo(2 / 5, 6);
    expect(m.silence).toEqual({ start: 3 / 4, between: 2 / 3, end: 3 / 4 });
    expect(m.bigram.words).toEqual(['x', 'y']);
    expect(bigramProbability(m.bigram, 1, 1)).toBeGreaterThan(bigramProbability(m.bigram, 1, 0));
    const priors = priorsOf(m);
    expect(priors[0]).toBeCloseTo(2.5 / 19.5, 6); // each silence state's 5 frames weigh 2.5, speech has 12
    expect(priors[3]).toBeCloseTo(2 / 19.5, 6);
    expect(priorsOf(m, 1)[0]).toBeCloseTo(5 / 27, 6);
  });

  it('refuses a word not in the lexicon and a state outside the inventory, adding nothing', () => {
    const stats = decodingStatistics(inventory, entries);
    expect(addTrainingUtterance(stats, Int32Array.of(0, 3), ['z'])).toEqual(E.left('the word "z" is not in the lexicon'));
    expect(addTrainingUtterance(stats, Int32Array.of(0, 9), ['x'])).toEqual(E.left('frame 1: state 9 is outside [0, 9)'));
    expect(stats.states.every((c) => c === 0)).toBe(true);
  });
});

describe('decoding model codec', () => {
  it('round-trips through MessagePack', () => {
    const m = model();
    const back = roundTrip(m);
    expect(back).toEqual(E.right(m));
  });

  it.each<[string, (map: Record<string, unknown>) => void, string]>([
    ['no bigram', (d) => delete d.bigram, 'bigram must be '],
    ['transitions of the wrong shape', (d) => (d.transitions = { shape: [9], data: new Uint8Array(36) }), 'tensor transitions has shape [9], expected [9, 2]'],
    ['a silence probability of 1', (d) => ((d.silence as Record<string, number>).end = 1), 'silence.end must be a probability strictly between 0 and 1 (got 1)'],
    ['bigram words unlike the lexicon', (d) => ((d.bigram as Record<string, unknown>).words = ['y', 'x']), "bigram.words must be the lexicon's words in order"],
    ['pairs out of order', (d) => (d.bigram as Record<string, number[]>).history.reverse(), 'bigram pairs must ascend by (history, next) without repeats'],
    ['a pronunciation without phones', (d) => ((d.lexicon as unknown[]).push(['z', []])), 'lexicon: not a pronunciation'],
  ])('refuses %s', (_, edit, message) => {
    const map = encodeDecodingModel(model());
    edit(map);
    const decoded = decodeDecodingModel(plainMsgpack.unpack(plainMsgpack.pack(map)), 9);
    expect(E.isLeft(decoded) && decoded.left).toContain(message);
  });

  it('refuses a model for another number of states', () => {
    expect(roundTrip(model(), 12)).toEqual(E.left('tensor stateCounts has shape [9], expected [12]'));
  });
});
