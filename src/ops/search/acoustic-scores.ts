/** How posteriors become decoder scores. */
export interface AcousticScaling {
  /** weight of the acoustic scores against the transition and language-model log probabilities (~0.1) */
  readonly acousticScale: number;
  /** exponent of the priors divided out (1: the hybrid's scaled likelihood p(s|x)/p(s)) */
  readonly priorScale: number;
}

/**
 * Scaled log-likelihoods for a hybrid decoder: out[t, s] =
 * acousticScale · (log p(s | x_t) − priorScale · log p(s)) for `frames` rows
 * of `logPosteriors` [*, S] from row `firstRow`. A state with prior 0 (never
 * seen in training) scores −∞: the decoder never enters it.
 *
 * @example acousticScores(logp, delay, T, S, priors, { acousticScale: 0.1, priorScale: 1 }, out) // row t of out is output row t + delay
 */
export function acousticScores(
  logPosteriors: Float32Array,
  firstRow: number,
  frames: number,
  states: number,
  priors: Float32Array,
  scaling: AcousticScaling,
  out: Float32Array,
): void {
  const { acousticScale, priorScale } = scaling;
  for (let t = 0; t < frames; t++) {
    const row = (firstRow + t) * states;
    for (let s = 0; s < states; s++) {
      out[t * states + s] = priors[s] > 0 ? acousticScale * (logPosteriors[row + s] - priorScale * Math.log(priors[s])) : -Infinity;
    }
  }
}
