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
  realignmentModel,
  type DecodingModel,
} from '../../../src/model/decoding/decoding-model.js';
import { lexicon } from '../../../src/model/corpus/lexicon.js';
import { transcriptGraph } from '../../../src/model/decoding/transcript-graph.js';
import { forcedAlign } from '../../../src/ops/search/forced-align.js';
import { phoneIndices, stateId, stateInventory } from '../../../src/model/corpus/states.js';
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

describe('realignmentModel', () => {
  const entries = lexicon([
    { word: 'oh', phones: ['ow'] },
    { word: 'nine', phones: ['n', 'ay', 'n'] },
  ]);
  const inventory = stateInventory(['sil', 'ow', 'n', 'ay']);
  const phones = phoneIndices(inventory);
  const S = inventory.names.length;
  /** States of phones, each phone's 3 states taking `frames[k]` frames between them. */
  const statesOf = (said: readonly string[], frames: readonly number[]) =>
    said.flatMap((phone, k) => Array.from({ length: frames[k] }, (_, i) => stateId(phones.get(phone) as number, Math.floor((3 * i) / frames[k]))));
  /** Scores that favour each true state by `margin` (scaled log-likelihoods, as the aligner gets them). */
  const scoresOf = (truth: readonly number[], margin: number) => {
    const scores = new Float32Array(truth.length * S).fill(-margin);
    truth.forEach((s, t) => (scores[t * S + s] = 0));
    return scores;
  };
  /** Forced alignment of `words` to `scores` through `decoding`'s HMM, as phone runs "phone:frames". */
  const align = (decoding: DecodingModel, words: string[], scores: Float32Array, frames: number) => {
    const graph = transcriptGraph(decoding, inventory, words);
    if (E.isLeft(graph)) throw new Error(graph.left);
    const found = forcedAlign(graph.right, scores, frames, S, 1e9);
    const said = Array.from(found!.nodes, (node) => inventory.names[graph.right.outputs[node]].replace(/_\d$/, ''));
    expect(said.length).toBe(frames);
    const runs: string[] = [];
    for (let t = 0, start = 0; t <= said.length; t++) {
      if (t === said.length || said[t] !== said[start]) {
        runs.push(`${said[start]}:${t - start}`);
        start = t;
      }
    }
    return runs.join(' ');
  };
  /** The decoding model of alignments where the speakers never pause between words and "nine"'s first n takes a frame a state. */
  const estimated = () => {
    const stats = decodingStatistics(inventory, entries);
    for (let k = 0; k < 50; k++) {
      const added = addTrainingUtterance(stats, Int32Array.from(statesOf(['sil', 'n', 'ay', 'n', 'ow', 'sil'], [9, 3, 12, 9, 12, 9])), ['nine', 'oh']);
      if (E.isLeft(added)) throw new Error(added.left);
    }
    return estimateDecodingModel(stats);
  };

  it('sets every transition and optional silence to even odds, leaving the model it is given as it was', () => {
    const model = estimated();
    const before = Float32Array.from(model.transitions);
    const even = realignmentModel(model);
    expect(even.silence).toEqual({ start: 0.5, between: 0.5, end: 0.5 });
    expect([...even.transitions].every((p) => p === 0.5)).toBe(true);
    expect(even.lexicon).toBe(model.lexicon);
    expect(model.transitions).toEqual(before);
  });

  it('weighs every path through a transcript the same: with no scores, any frame count scores (frames + 3)·log ½', () => {
    const even = realignmentModel(estimated());
    for (const frames of [20, 47]) {
      const graph = transcriptGraph(even, inventory, ['nine', 'oh']);
      if (E.isLeft(graph)) throw new Error(graph.left);
      expect(forcedAlign(graph.right, new Float32Array(frames * S), frames, S, 1e9)!.score).toBeCloseTo((frames + 3) * Math.log(0.5), 4);
    }
  });

  it('finds a pause and lets a squeezed phone grow back, where the alignment before would hold them as they were', () => {
    // The audio pauses between the words, and its first n is long; the network's scores say so by a margin of 0.3 a frame.
    const truth = statesOf(['sil', 'n', 'ay', 'n', 'sil', 'ow', 'sil'], [9, 12, 12, 9, 9, 12, 9]);
    const scores = scoresOf(truth, 0.3);
    expect(align(realignmentModel(estimated()), ['nine', 'oh'], scores, truth.length)).toBe('sil:9 n:12 ay:12 n:9 sil:9 ow:12 sil:9');
    const held = align(estimated(), ['nine', 'oh'], scores, truth.length).split(' ');
    expect(held[0]).toBe('sil:9');
    expect(Number(held[1].replace('n:', ''))).toBeLessThanOrEqual(4);
    expect(held.filter((run) => run.startsWith('sil'))).toHaveLength(2);
  });
});
