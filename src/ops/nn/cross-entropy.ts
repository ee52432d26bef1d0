/**
 * Cross entropy summed over frames (Kaldi and the paper sum, not average):
 * Σ_n mask[n] · −log p_n(target[n]). A frame with mask 0 is never read, so its
 * target may be anything (padding, −1).
 */
export function crossEntropy(
  logp: Float32Array,
  targets: Int32Array,
  mask: Float32Array,
  rows: number,
  cols: number,
): number {
  let loss = 0;
  for (let r = 0; r < rows; r++) if (mask[r] !== 0) loss -= mask[r] * logp[r * cols + targets[r]];
  return loss;
}
