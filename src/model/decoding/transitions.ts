/** Columns of a transition table [S, 2]: stay in the state, or move on. */
export const SELF_LOOP = 0;
export const FORWARD = 1;

/**
 * Adds one alignment's state runs to transition counts [S, 2]: a run of n
 * frames in state s is n − 1 self-loops and one step forward (the utterance's
 * end counts as leaving its last state).
 *
 * @example countTransitions(Int32Array.of(4, 4, 4, 5), counts) // state 4: 2 self-loops, 1 forward; state 5: 1 forward
 */
export function countTransitions(alignment: ArrayLike<number>, counts: Float64Array): void {
  for (let t = 0; t < alignment.length; t++) {
    const s = alignment[t];
    const leaves = t + 1 === alignment.length || alignment[t + 1] !== s;
    counts[2 * s + (leaves ? FORWARD : SELF_LOOP)]++;
  }
}

/**
 * Self-loop and forward probabilities [S, 2] of each HMM state from counts
 * [S, 2], add-one smoothed: no probability is 0, and a state never seen gets
 * ½ and ½. The expected duration of state s is 1 / p_forward(s) frames.
 *
 * @example transitionProbabilities(Float64Array.of(2, 1)) // [0.6, 0.4]: (2+1)/(3+2), (1+1)/(3+2)
 */
export function transitionProbabilities(counts: Float64Array): Float32Array {
  const probabilities = new Float32Array(counts.length);
  for (let s = 0; 2 * s < counts.length; s++) {
    const self = counts[2 * s + SELF_LOOP] + 1;
    const forward = counts[2 * s + FORWARD] + 1;
    probabilities[2 * s + SELF_LOOP] = self / (self + forward);
    probabilities[2 * s + FORWARD] = forward / (self + forward);
  }
  return probabilities;
}
