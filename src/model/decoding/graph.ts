import * as E from 'fp-ts/lib/Either.js';
import { NO_WORD, NON_EMITTING, type SearchGraph } from '../../ops/search/viterbi.js';
import { SENTENCE_START } from './bigram.js';
import type { DecodingModel } from './decoding-model.js';
import { SILENCE, STATES_PER_PHONE, phoneIndices, stateId, type StateInventory } from '../corpus/states.js';
import { FORWARD, SELF_LOOP } from './transitions.js';

export interface GraphOptions {
  /**
   * Multiplies the HMM transition log probabilities (Kaldi's
   * --transition-scale): below 1 durations weigh less against the acoustic
   * scores, as they must when those are scaled down by the acoustic scale.
   */
  readonly transitionScale?: number;
  /**
   * Added to the log score of every word a path takes (a negative word
   * insertion penalty): above 0 it keeps a repeated word ("oh oh", "zero oh")
   * from being heard as one long word, below 0 it holds insertions back.
   */
  readonly wordBonus?: number;
}

/** A compiled decoding graph: the search's arrays plus the words its labels index. */
export interface DecodingGraph extends SearchGraph {
  readonly words: readonly string[];
}

/**
 * Compiles a decoding model into one graph for the Viterbi search
 * (src/ops/viterbi.ts): every pronunciation of every word is a chain of
 * 3-state left-to-right phone HMMs with self-loops, emitting the network
 * output of its state; the word bigram joins them, with an optional silence
 * (the same 3-state topology) after sentence start and after every word.
 *
 * Non-emitting nodes, for each history h (`<s>` or a word):
 * - `after[h]`: reached at the end of h (the arc into it carries h's label);
 * - `lm[h, s]`: the bigram state, s = 1 if a silence was just taken, else 0;
 * - `unigram[g, s]`: the back-off state, g = 0 for `<s>`, 1 for the words;
 * then `final`. `after[<s>]` is the start node. Arcs:
 * - after[h] → lm[h, 0] (no silence) or → the silence copy of h → lm[h, 1];
 * - lm[h, s] → the first state of each pronunciation of each word w seen
 *   after h, log P(w | h) + log P(silence choice s) (silence before the
 *   first word, or between words); → final for `</s>`, with the end silence;
 * - lm[h, s] → unigram[g, s] with h's back-off weight; unigram[g, s] → every
 *   word and final with the unigram probability and the same silence terms.
 * Phone states go to themselves and to the next state with the model's
 * transition probabilities (their logs times `transitionScale`); a word's
 * last state leaves with its forward probability. Pronunciation probabilities are all 1 (max-normalised, as in
 * Kaldi's lexicons without estimates). A path's score is thus the log
 * probability of its states, words and silences.
 *
 * Refused: a lexicon phone without states in `inventory`, a transition
 * table that does not fit the inventory.
 *
 * @example compileGraph(checkpoint.decoding, orFail(parseStates(checkpoint.states.join('\n'))))
 */
export function compileGraph(model: DecodingModel, inventory: StateInventory, options: GraphOptions = {}): E.Either<string, DecodingGraph> {
  const S = inventory.names.length;
  if (model.transitions.length !== 2 * S) return E.left(`the transitions are for ${model.transitions.length / 2} states, the inventory has ${S}`);
  const phones = phoneIndices(inventory);
  for (const { word, phones: spoken } of model.lexicon) {
    const missing = spoken.find((phone) => !phones.has(phone));
    if (missing !== undefined) return E.left(`the phone "${missing}" of "${word}" has no states`);
  }

  const outputs: number[] = [];
  const from: number[] = [];
  const to: number[] = [];
  const weight: number[] = [];
  const label: number[] = [];
  const node = (output: number): number => outputs.push(output) - 1;
  const arc = (a: number, b: number, logp: number, word = NO_WORD): void => {
    if (logp === -Infinity) return;
    from.push(a);
    to.push(b);
    weight.push(logp);
    label.push(word);
  };
  const transitionScale = options.transitionScale ?? 1;
  const logTransition = (state: number, column: number) => transitionScale * Math.log(model.transitions[2 * state + column]);
  /** A chain of phone HMMs; returns its first and last node. */
  const chain = (phoneList: readonly string[]): [number, number] => {
    let first = -1;
    let last = -1;
    for (const phone of phoneList) {
      const p = phones.get(phone) as number;
      for (let k = 0; k < STATES_PER_PHONE; k++) {
        const state = stateId(p, k);
        const n = node(state);
        arc(n, n, logTransition(state, SELF_LOOP));
        if (last >= 0) arc(last, n, logTransition(outputs[last], FORWARD));
        if (first < 0) first = n;
        last = n;
      }
    }
    return [first, last];
  };

  const { bigram, silence } = model;
  const V = bigram.words.length;
  const histories = V + 1;
  const start = node(NON_EMITTING);
  const after = [start, ...Array.from({ length: V }, () => node(NON_EMITTING))];
  const lm = Array.from({ length: histories }, () => [node(NON_EMITTING), node(NON_EMITTING)]);
  const unigram = [0, 1].map(() => [node(NON_EMITTING), node(NON_EMITTING)]);
  const final = node(NON_EMITTING);

  const silencePhones = [SILENCE];
  for (let h = 0; h < histories; h++) {
    arc(after[h], lm[h][0], 0);
    const [first, last] = chain(silencePhones);
    arc(after[h], first, 0);
    arc(last, lm[h][1], logTransition(outputs[last], FORWARD));
  }

  const byWord = new Map(bigram.words.map((w, i) => [w, i]));
  const entries: number[][] = bigram.words.map(() => []);
  for (const { word, phones: spoken } of model.lexicon) {
    const w = byWord.get(word);
    if (w === undefined) return E.left(`the word "${word}" is not in the bigram`);
    const [first, last] = chain(spoken);
    entries[w].push(first);
    arc(last, after[w + 1], logTransition(outputs[last], FORWARD), w);
  }

  const silenceTerm = (history: number, silent: number): number => {
    const p = history === SENTENCE_START ? silence.start : silence.between;
    return Math.log(silent ? p : 1 - p);
  };
  const endTerm = (silent: number): number => Math.log(silent ? silence.end : 1 - silence.end);
  const wordBonus = options.wordBonus ?? 0;
  const enter = (source: number, w: number, logp: number): void => {
    if (w === V) arc(source, final, logp);
    else for (const first of entries[w]) arc(source, first, logp + wordBonus);
  };
  for (let i = 0; i < bigram.history.length; i++) {
    const [h, w] = [bigram.history[i], bigram.next[i]];
    for (const s of [0, 1]) enter(lm[h][s], w, Math.log(bigram.probabilities[i]) + (w === V ? endTerm(s) : silenceTerm(h, s)));
  }
  for (let h = 0; h < histories; h++) {
    for (const s of [0, 1]) arc(lm[h][s], unigram[h === SENTENCE_START ? 0 : 1][s], Math.log(bigram.backoff[h]));
  }
  for (const g of [0, 1]) {
    const history = g === 0 ? SENTENCE_START : 1;
    for (const s of [0, 1]) {
      for (let w = 0; w <= V; w++) enter(unigram[g][s], w, Math.log(bigram.unigram[w]) + (w === V ? endTerm(s) : silenceTerm(history, s)));
    }
  }

  // Arcs by source node (a counting sort keeps each node's arcs in insertion order).
  const N = outputs.length;
  const arcStart = new Int32Array(N + 1);
  for (const a of from) arcStart[a + 1]++;
  for (let n = 0; n < N; n++) arcStart[n + 1] += arcStart[n];
  const fill = arcStart.slice(0, N);
  const A = from.length;
  const arcTarget = new Int32Array(A);
  const arcWeight = new Float32Array(A);
  const arcWord = new Int32Array(A);
  for (let i = 0; i < A; i++) {
    const slot = fill[from[i]]++;
    arcTarget[slot] = to[i];
    arcWeight[slot] = weight[i];
    arcWord[slot] = label[i];
  }
  return E.right({ outputs: Int32Array.from(outputs), arcStart, arcTarget, arcWeight, arcWord, start, final, words: bigram.words });
}
