/** The paper's silence weighting: silence frames count 2.7 times less in the priors. */
export const SILENCE_PRIOR_FACTOR = 2.7;

/**
 * Adds one alignment's frames to per-state frame counts.
 *
 * @example countStates(Int32Array.of(0, 0, 2), counts) // counts[0] += 2, counts[2] += 1
 */
export function countStates(alignment: ArrayLike<number>, counts: Float64Array): void {
  for (let t = 0; t < alignment.length; t++) counts[alignment[t]]++;
}

/**
 * State priors for hybrid decoding (Sak et al. 2014): relative state
 * frequencies in the training alignments, the counts of `silenceStates`
 * divided by `factor` first, renormalised. A state never seen gets prior 0,
 * which the decoder reads as "never emit".
 *
 * @example statePriors([2, 6, 2], [0], 2) // [1/9, 6/9, 2/9]: silence's 2 frames weigh 1
 */
export function statePriors(counts: ArrayLike<number>, silenceStates: Iterable<number>, factor: number): Float32Array {
  if (!(factor > 0 && Number.isFinite(factor))) throw new RangeError(`the silence factor must be a finite number > 0, got ${factor}`);
  const weighted = Float64Array.from(counts);
  for (const s of silenceStates) weighted[s] /= factor;
  let total = 0;
  for (let s = 0; s < weighted.length; s++) {
    if (!(weighted[s] >= 0)) throw new RangeError(`state ${s} has count ${counts[s]}`);
    total += weighted[s];
  }
  const priors = new Float32Array(weighted.length);
  if (total > 0) for (let s = 0; s < weighted.length; s++) priors[s] = weighted[s] / total;
  return priors;
}
