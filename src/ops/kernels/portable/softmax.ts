import { crossEntropy } from '../../nn/cross-entropy.js';
import { checkArgmax, checkRows } from '../checks.js';

/**
 * Log-softmax of each row of a row-major [rows, cols] matrix, in place.
 * Subtracts the row maximum first, so large logits cannot overflow.
 */
export function logSoftmaxRows(x: Float32Array, rows: number, cols: number): void {
  checkRows('logSoftmaxRows', x, rows, cols);
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    let max = -Infinity;
    for (let j = row; j < row + cols; j++) if (x[j] > max) max = x[j];
    let sum = 0;
    for (let j = row; j < row + cols; j++) sum += Math.exp(x[j] - max);
    const logZ = max + Math.log(sum);
    for (let j = row; j < row + cols; j++) x[j] -= logZ;
  }
}

/**
 * Each row's arg-max of a row-major [rows, cols] matrix into `out`: the
 * first index of its largest value (ties go to the lower index), what frame
 * accuracy compares with the target.
 */
export function argmaxRows(x: Float32Array, rows: number, cols: number, out: Int32Array): void {
  checkArgmax(x, rows, cols, out);
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    let best = 0;
    let bestScore = x[row];
    for (let j = 1; j < cols; j++) {
      const score = x[row + j];
      if (score > bestScore) {
        best = j;
        bestScore = score;
      }
    }
    out[r] = best;
  }
}

/**
 * The gradient of {@link crossEntropy} (ops/nn/cross-entropy.ts) with respect to the logits that gave
 * `logp`: mask · (softmax − onehot(target)), written to `dLogits`. Returns the loss.
 */
export function crossEntropyGradient(
  logp: Float32Array,
  targets: Int32Array,
  mask: Float32Array,
  rows: number,
  cols: number,
  dLogits: Float32Array,
): number {
  checkRows('crossEntropyGradient', logp, rows, cols);
  checkRows('crossEntropyGradient', dLogits, rows, cols);
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    const w = mask[r];
    if (w === 0) {
      dLogits.fill(0, row, row + cols);
      continue;
    }
    for (let j = 0; j < cols; j++) dLogits[row + j] = w * Math.exp(logp[row + j]);
    dLogits[row + targets[r]] -= w;
  }
  return crossEntropy(logp, targets, mask, rows, cols);
}
