import { STATES_PER_PHONE } from '../corpus/states.js';

/**
 * How likely an optional silence is: before the first word, between two
 * words, after the last word. Every probability lies strictly in (0, 1).
 */
export interface OptionalSilence {
  readonly start: number;
  readonly between: number;
  readonly end: number;
}

/** Where training utterances paused, for {@link optionalSilence}. */
export interface SilenceCounts {
  utterances: number;
  /** utterances that start, and that end, in silence */
  startSilences: number;
  endSilences: number;
  /** gaps between consecutive words, and those holding a silence */
  boundaries: number;
  betweenSilences: number;
}

export function emptySilenceCounts(): SilenceCounts {
  return { utterances: 0, startSilences: 0, endSilences: 0, boundaries: 0, betweenSilences: 0 };
}

/**
 * Adds one utterance: its alignment (silence is phone 0, states 0 … 2) and
 * its number of words. A run of silence inside the utterance is a pause
 * between two words (at most one per gap).
 *
 * @example countSilences(Int32Array.of(0, 1, 2, 9, 9, 0, 1, 2, 12, 2), 2, counts) // starts and ends silent, 1 of 1 gap silent
 */
export function countSilences(alignment: ArrayLike<number>, words: number, counts: SilenceCounts): void {
  const T = alignment.length;
  const silent = (t: number) => alignment[t] < STATES_PER_PHONE;
  let interior = 0;
  for (let t = 0; t < T; t++) {
    if (!silent(t) || (t > 0 && silent(t - 1))) continue;
    let last = t;
    while (last + 1 < T && silent(last + 1)) last++;
    if (t > 0 && last < T - 1) interior++;
  }
  counts.utterances++;
  if (T > 0 && silent(0)) counts.startSilences++;
  if (T > 0 && silent(T - 1)) counts.endSilences++;
  const gaps = Math.max(0, words - 1);
  counts.boundaries += gaps;
  counts.betweenSilences += Math.min(gaps, interior);
}

/**
 * Add-one estimates of the optional silence probabilities.
 *
 * @example optionalSilence({ utterances: 8, startSilences: 8, endSilences: 8, boundaries: 10, betweenSilences: 2 }) // start 0.9, between 0.25, end 0.9
 */
export function optionalSilence(counts: SilenceCounts): OptionalSilence {
  return {
    start: (counts.startSilences + 1) / (counts.utterances + 2),
    between: (counts.betweenSilences + 1) / (counts.boundaries + 2),
    end: (counts.endSilences + 1) / (counts.utterances + 2),
  };
}
