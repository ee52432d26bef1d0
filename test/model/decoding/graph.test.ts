import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { bigramProbability } from '../../../src/model/decoding/bigram.js';
import { addTrainingUtterance, decodingStatistics, estimateDecodingModel, type DecodingModel } from '../../../src/model/decoding/decoding-model.js';
import { compileGraph, type DecodingGraph } from '../../../src/model/decoding/graph.js';
import { lexicon, type Lexicon } from '../../../src/model/corpus/lexicon.js';
import { phoneIndices, stateId, stateInventory, type StateInventory } from '../../../src/model/corpus/states.js';
import { NO_WORD, NON_EMITTING, viterbiSearch } from '../../../src/ops/search/viterbi.js';

/** An alignment: silence, then each phone's three states for `perState` frames each, silence between words where `pauses` says, silence. */
function alignmentOf(inventory: StateInventory, words: readonly (readonly string[])[], perState = 3, pauses: readonly boolean[] = []): Int32Array {
  const phones = phoneIndices(inventory);
  const states: number[] = [];
  const silence = () => states.push(...[0, 0, 1, 1, 2, 2]);
  silence();
  words.forEach((spoken, k) => {
    for (const phone of spoken) for (let j = 0; j < 3; j++) states.push(...Array<number>(perState).fill(stateId(phones.get(phone) as number, j)));
    if (pauses[k]) silence();
  });
  silence();
  return Int32Array.from(states);
}

function modelOf(inventory: StateInventory, entries: Lexicon, sentences: readonly (readonly string[])[]): DecodingModel {
  const stats = decodingStatistics(inventory, entries);
  for (const words of sentences) {
    const spoken = words.map((w) => (entries.find((p) => p.word === w) as { phones: readonly string[] }).phones);
    const added = addTrainingUtterance(stats, alignmentOf(inventory, spoken, 3, words.map((_, k) => k % 2 === 1)), words);
    if (E.isLeft(added)) throw new Error(added.left);
  }
  return estimateDecodingModel(stats);
}

function compiled(model: DecodingModel, inventory: StateInventory): DecodingGraph {
  const graph = compileGraph(model, inventory);
  if (E.isLeft(graph)) throw new Error(graph.left);
  return graph.right;
}

const arcsOf = (graph: DecodingGraph, n: number) =>
  Array.from({ length: graph.arcStart[n + 1] - graph.arcStart[n] }, (_, i) => {
    const a = graph.arcStart[n] + i;
    return { to: graph.arcTarget[a], weight: graph.arcWeight[a], word: graph.arcWord[a] };
  });

/** The best log weight of a path of non-emitting nodes from `from` to each node (emitting ones included as ends). */
function junctionDistances(graph: DecodingGraph, from: number): Float64Array {
  const best = new Float64Array(graph.outputs.length).fill(-Infinity);
  best[from] = 0;
  const visit = (n: number) => {
    for (const arc of arcsOf(graph, n)) {
      if (best[n] + arc.weight <= best[arc.to]) continue;
      best[arc.to] = best[n] + arc.weight;
      if (graph.outputs[arc.to] === NON_EMITTING) visit(arc.to);
    }
  };
  visit(from);
  return best;
}

const inventory = stateInventory(['a', 'b', 'c']);

describe('compileGraph', () => {
  it('turns a one-word lexicon into its left-to-right states, with self-loops and the word on its way out', () => {
    const entries = lexicon([{ word: 'ab', phones: ['a', 'b'] }]);
    const graph = compiled(modelOf(inventory, entries, [['ab'], ['ab', 'ab']]), inventory);
    const speech = [...graph.outputs.keys()].filter((n) => graph.outputs[n] >= 3);
    expect(speech.map((n) => inventory.names[graph.outputs[n]])).toEqual(['a_0', 'a_1', 'a_2', 'b_0', 'b_1', 'b_2']);
    speech.forEach((n, i) => {
      const arcs = arcsOf(graph, n);
      expect(arcs.some((a) => a.to === n && a.word === NO_WORD)).toBe(true);
      const onward = arcs.filter((a) => a.to !== n);
      expect(onward).toHaveLength(1);
      if (i + 1 < speech.length) expect(onward[0]).toMatchObject({ to: speech[i + 1], word: NO_WORD });
      else expect(onward[0]).toMatchObject({ word: 0 });
    });
    // silence copies: one after <s>, one after the word
    expect(graph.outputs.filter((o) => o === 0)).toHaveLength(2);
    expect(graph.words).toEqual(['ab']);
  });

  it('weights each word entry by its bigram probability and the silence choice', () => {
    const entries = lexicon([
      { word: 'x', phones: ['a'] },
      { word: 'y', phones: ['b', 'c'] },
      { word: 'y', phones: ['c'] },
    ]);
    const model = modelOf(inventory, entries, [['x', 'y'], ['y'], ['x', 'x', 'y'], ['y', 'y']]);
    const graph = compiled(model, inventory);
    // Nodes that emit a first state of one of the word's pronunciations (inner ones are not reachable through junctions alone).
    const firstStates = (word: string) => {
      const first = entries.filter((p) => p.word === word).map((p) => stateId(phoneIndices(inventory).get(p.phones[0]) as number, 0));
      return [...graph.outputs.keys()].filter((n) => first.includes(graph.outputs[n]));
    };
    const fromStart = junctionDistances(graph, graph.start);
    const { silence, bigram } = model;
    for (const [w, word] of ['x', 'y'].entries()) {
      // From <s> without a silence: the best junction path into the word's first states.
      const entry = Math.max(...firstStates(word).map((n) => fromStart[n]));
      expect(entry).toBeCloseTo(Math.log(bigramProbability(bigram, 0, w)) + Math.log(1 - silence.start), 5);
    }
    expect(fromStart[graph.final]).toBeCloseTo(Math.log(bigramProbability(bigram, 0, 2)) + Math.log(1 - silence.end), 5);
  });

  it('adds the word bonus to every word entry, and nothing to the end of the sentence', () => {
    const entries = lexicon([
      { word: 'x', phones: ['a'] },
      { word: 'y', phones: ['b', 'c'] },
    ]);
    const model = modelOf(inventory, entries, [['x', 'y'], ['y', 'x'], ['x']]);
    const plain = compiled(model, inventory);
    const bonus = compileGraph(model, inventory, { wordBonus: 1.5 });
    if (E.isLeft(bonus)) throw new Error(bonus.left);
    // The same graph, each arc from a junction into a word's first state 1.5 heavier, and no other arc changed.
    expect(bonus.right.arcTarget).toEqual(plain.arcTarget);
    const phones = phoneIndices(inventory);
    const wordStarts = new Set(['a', 'b'].map((phone) => stateId(phones.get(phone) as number, 0)));
    let raised = 0;
    for (let n = 0; n < plain.outputs.length; n++) {
      for (let a = plain.arcStart[n]; a < plain.arcStart[n + 1]; a++) {
        const entry = plain.outputs[n] === NON_EMITTING && wordStarts.has(plain.outputs[plain.arcTarget[a]]);
        if (entry) raised++;
        expect(bonus.right.arcWeight[a]).toBeCloseTo(plain.arcWeight[a] + (entry ? 1.5 : 0), 5);
      }
    }
    expect(raised).toBeGreaterThan(0);
    expect(junctionDistances(bonus.right, bonus.right.start)[bonus.right.final]).toBeCloseTo(junctionDistances(plain, plain.start)[plain.final], 6);
  });

  it('decodes scores that spell words, silence and a pause', () => {
    const entries = lexicon([
      { word: 'x', phones: ['a'] },
      { word: 'y', phones: ['b', 'c'] },
    ]);
    const graph = compiled(modelOf(inventory, entries, [['x', 'y'], ['y', 'x'], ['x'], ['y', 'y', 'x']]), inventory);
    const truth = alignmentOf(inventory, [['b', 'c'], ['a'], ['a'], ['b', 'c']], 4, [false, true, false]);
    const S = inventory.names.length;
    const scores = new Float32Array(truth.length * S).fill(-5);
    truth.forEach((s, t) => (scores[t * S + s] = 0));
    const search = viterbiSearch(graph, { beam: 20, maxActive: 1000 });
    search.advance(scores, truth.length, S);
    const result = search.finish();
    expect(result.final).toBe(true);
    expect(Array.from(result.words, (w) => graph.words[w])).toEqual(['y', 'x', 'x', 'y']);
  });

  it('refuses a lexicon phone without states', () => {
    const model = modelOf(inventory, lexicon([{ word: 'x', phones: ['a'] }]), [['x']]);
    const broken = { ...model, lexicon: lexicon([{ word: 'x', phones: ['z'] }]) };
    expect(compileGraph(broken, inventory)).toEqual(E.left('the phone "z" of "x" has no states'));
  });
});
