import { crossEntropy } from '../../nn/cross-entropy.js';
import { checkRows } from '../checks.js';

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
