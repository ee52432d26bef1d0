import * as E from 'fp-ts/lib/Either.js';
import { NO_WORD, NON_EMITTING, type SearchGraph } from '../../ops/search/viterbi.js';
import { pronunciationsByWord } from '../corpus/lexicon.js';
import { SILENCE, STATES_PER_PHONE, phoneIndices, stateId, type StateInventory } from '../corpus/states.js';
import type { DecodingModel } from './decoding-model.js';
import type { GraphOptions } from './graph.js';
import { FORWARD, SELF_LOOP } from './transitions.js';

/**
 * One transcript's HMM for forced alignment, with what each node is part
 * of: its word (the word's position in the transcript; −1 for silence and
 * junctions) and its phone (an index into `phones`, one entry per phone
 * occurrence in the graph; −1 for junctions).
 */
export interface TranscriptGraph extends SearchGraph {
  readonly nodeWord: Int32Array;
  readonly nodePhone: Int32Array;
  /** the phone of each occurrence `nodePhone` indexes */
  readonly phones: readonly string[];
}

/**
 * The HMM of one transcript, as the decoder's graph builds its words
 * (graph.ts): each word's pronunciations side by side, each a chain of
 * 3-state left-to-right phone HMMs with the model's self-loop and forward
 * probabilities (their logs times `transitionScale`), and an optional
 * silence before the first word, between words and after the last, taken
 * with the model's silence probabilities. Forced alignment finds the best
 * path through it.
 *
 * Refused, in words: a word the lexicon does not have, a phone without
 * states in `inventory`.
 *
 * @example transcriptGraph(checkpoint.decoding, inventory, ['two', 'oh'])
 */
export function transcriptGraph(
  model: Pick<DecodingModel, 'lexicon' | 'transitions' | 'silence'>,
  inventory: StateInventory,
  words: readonly string[],
  options: Pick<GraphOptions, 'transitionScale'> = {},
): E.Either<string, TranscriptGraph> {
  const S = inventory.names.length;
  if (model.transitions.length !== 2 * S) return E.left(`the transitions are for ${model.transitions.length / 2} states, the inventory has ${S}`);
  const phoneIndex = phoneIndices(inventory);
  const byWord = pronunciationsByWord(model.lexicon);
  const unknown = words.filter((word) => !byWord.has(word));
  if (unknown.length > 0) return E.left(`not in the lexicon: ${[...new Set(unknown)].map((w) => `"${w}"`).join(', ')}`);
  for (const word of words) {
    for (const pronunciation of byWord.get(word) ?? []) {
      const missing = pronunciation.find((phone) => !phoneIndex.has(phone));
      if (missing !== undefined) return E.left(`the phone "${missing}" of "${word}" has no states`);
    }
  }

  const outputs: number[] = [];
  const nodeWord: number[] = [];
  const nodePhone: number[] = [];
  const phones: string[] = [];
  const from: number[] = [];
  const to: number[] = [];
  const weight: number[] = [];
  const node = (output: number, word: number, phone: number): number => {
    nodeWord.push(word);
    nodePhone.push(phone);
    return outputs.push(output) - 1;
  };
  const junction = () => node(NON_EMITTING, -1, -1);
  const arc = (a: number, b: number, logp: number): void => {
    if (logp === -Infinity) return;
    from.push(a);
    to.push(b);
    weight.push(logp);
  };
  const scale = options.transitionScale ?? 1;
  const logTransition = (state: number, column: number) => scale * Math.log(model.transitions[2 * state + column]);
  /** A chain of phone HMMs between two junctions, entered with `logp`. */
  const chain = (phoneList: readonly string[], word: number, entry: number, exit: number, logp: number): void => {
    let last = -1;
    for (const phone of phoneList) {
      const occurrence = phones.push(phone) - 1;
      for (let k = 0; k < STATES_PER_PHONE; k++) {
        const state = stateId(phoneIndex.get(phone) as number, k);
        const n = node(state, word, occurrence);
        arc(n, n, logTransition(state, SELF_LOOP));
        if (last >= 0) arc(last, n, logTransition(outputs[last], FORWARD));
        else arc(entry, n, logp);
        last = n;
      }
    }
    arc(last, exit, logTransition(outputs[last], FORWARD));
  };
  /** An optional silence from `a` to a new junction, taken with probability p. */
  const optionalSilence = (a: number, p: number): number => {
    const b = junction();
    arc(a, b, Math.log(1 - p));
    chain([SILENCE], -1, a, b, Math.log(p));
    return b;
  };

  const start = junction();
  const { silence } = model;
  let at = optionalSilence(start, silence.start);
  words.forEach((word, k) => {
    const next = junction();
    for (const pronunciation of byWord.get(word) ?? []) chain(pronunciation, k, at, next, 0);
    at = k + 1 < words.length ? optionalSilence(next, silence.between) : optionalSilence(next, silence.end);
  });
  const final = at;

  const N = outputs.length;
  const arcStart = new Int32Array(N + 1);
  for (const a of from) arcStart[a + 1]++;
  for (let n = 0; n < N; n++) arcStart[n + 1] += arcStart[n];
  const fill = arcStart.slice(0, N);
  const arcTarget = new Int32Array(from.length);
  const arcWeight = new Float32Array(from.length);
  for (let i = 0; i < from.length; i++) {
    const slot = fill[from[i]]++;
    arcTarget[slot] = to[i];
    arcWeight[slot] = weight[i];
  }
  return E.right({
    outputs: Int32Array.from(outputs),
    arcStart,
    arcTarget,
    arcWeight,
    arcWord: new Int32Array(from.length).fill(NO_WORD),
    start,
    final,
    nodeWord: Int32Array.from(nodeWord),
    nodePhone: Int32Array.from(nodePhone),
    phones,
  });
}

/** A stretch of frames [start, end) spent in one word or one phone occurrence. */
export interface TimedUnit {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

/** Words and phones (silence included as `sil`) of a forced alignment's node path, in order, with their frames. */
export function timedUnits(graph: TranscriptGraph, words: readonly string[], nodes: Int32Array): { readonly words: TimedUnit[]; readonly phones: TimedUnit[] } {
  const runs = (key: Int32Array, name: (value: number) => string | null): TimedUnit[] => {
    const out: TimedUnit[] = [];
    for (let t = 0; t < nodes.length; ) {
      const value = key[nodes[t]];
      let end = t + 1;
      while (end < nodes.length && key[nodes[end]] === value) end++;
      const label = name(value);
      if (label !== null) out.push({ name: label, start: t, end });
      t = end;
    }
    return out;
  };
  return {
    words: runs(graph.nodeWord, (k) => (k >= 0 ? words[k] : null)),
    phones: runs(graph.nodePhone, (p) => (p >= 0 ? graph.phones[p] : null)),
  };
}
