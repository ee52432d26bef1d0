import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addTrainingUtterance, decodingStatistics, estimateDecodingModel, type DecodingModel } from '../../../src/model/decoding/decoding-model.js';
import { timedUnits, transcriptGraph } from '../../../src/model/decoding/transcript-graph.js';
import { lexicon } from '../../../src/model/corpus/lexicon.js';
import { phoneIndices, stateId, stateInventory, type StateInventory } from '../../../src/model/corpus/states.js';
import { forcedAlign } from '../../../src/ops/search/forced-align.js';
import { NON_EMITTING } from '../../../src/ops/search/viterbi.js';

const entries = lexicon([
  { word: 'oh', phones: ['ow'] },
  { word: 'two', phones: ['t', 'uw'] },
  { word: 'two', phones: ['t', 'ah'] },
  { word: 'nine', phones: ['n', 'ay', 'n'] },
]);
const inventory = stateInventory(['sil', 'ow', 't', 'uw', 'ah', 'n', 'ay']);

/** States of a sentence said as `said` (one pronunciation per word): silence, words with a silence between the 2nd and 3rd, silence; each state `per` frames. */
function statesOf(said: readonly (readonly string[])[], per: number, inv: StateInventory = inventory): number[] {
  const phones = phoneIndices(inv);
  const states: number[] = [];
  const phone = (p: string) => {
    for (let k = 0; k < 3; k++) for (let i = 0; i < per; i++) states.push(stateId(phones.get(p) as number, k));
  };
  phone('sil');
  said.forEach((word, k) => {
    word.forEach(phone);
    if (k === 1 && k < said.length - 1) phone('sil');
  });
  phone('sil');
  return states;
}

function model(): DecodingModel {
  const stats = decodingStatistics(inventory, entries);
  for (const words of [['two', 'nine', 'oh'], ['oh', 'two'], ['nine', 'nine', 'two']]) {
    const said = words.map((w) => entries.find((p) => p.word === w)!.phones);
    const added = addTrainingUtterance(stats, Int32Array.from(statesOf(said, 2)), words);
    if (E.isLeft(added)) throw new Error(added.left);
  }
  return estimateDecodingModel(stats);
}

describe('transcriptGraph', () => {
  it('aligns a transcript to scores that favour its states: every frame in order, the words and phones with their times', () => {
    const decoding = model();
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('oh', 'two', 'nine'), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        (words, per, variant) => {
          const said = words.map((w) => (w === 'two' && variant ? ['t', 'ah'] : entries.find((p) => p.word === w)!.phones));
          const truth = statesOf(said, per);
          const S = inventory.names.length;
          // The true state scores 0, every other −10: the alignment must follow the truth.
          const scores = new Float32Array(truth.length * S).fill(-10);
          truth.forEach((s, t) => (scores[t * S + s] = 0));
          const graph = transcriptGraph(decoding, inventory, words);
          expect(E.isRight(graph)).toBe(true);
          if (E.isLeft(graph)) return;
          const found = forcedAlign(graph.right, scores, truth.length, S, Infinity)!;
          expect(Array.from(found.nodes, (n) => graph.right.outputs[n])).toEqual(truth);
          const units = timedUnits(graph.right, words, found.nodes);
          expect(units.words.map((w) => w.name)).toEqual(words);
          expect(units.phones.filter((p) => p.name !== 'sil').map((p) => p.name)).toEqual(said.flat());
          // Units tile the frames in order.
          let at = 0;
          for (const p of units.phones) {
            expect(p.start).toBe(at);
            at = p.end;
          }
          expect(at).toBe(truth.length);
        },
      ),
    );
  });

  it('has a junction start and final, and refuses unknown words and phones without states, naming them', () => {
    const decoding = model();
    const graph = transcriptGraph(decoding, inventory, ['oh']);
    if (E.isLeft(graph)) throw new Error(graph.left);
    expect(graph.right.outputs[graph.right.start]).toBe(NON_EMITTING);
    expect(graph.right.outputs[graph.right.final]).toBe(NON_EMITTING);
    expect(transcriptGraph(decoding, inventory, ['oh', 'seven', 'eleven', 'seven'])).toEqual(E.left('not in the lexicon: "seven", "eleven"'));
    expect(transcriptGraph({ ...decoding, lexicon: [...entries, { word: 'x', phones: ['zz'] }] }, inventory, ['x'])).toEqual(E.left('the phone "zz" of "x" has no states'));
  });
});
