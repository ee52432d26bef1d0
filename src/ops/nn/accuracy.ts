import type { Kernels } from '../kernels/kernels.js';
import { argmaxRows } from '../kernels/portable/softmax.js';

/**
 * How many unmasked rows of a [rows, cols] score matrix have their maximum at
 * the target (frame accuracy's numerator), each weighed by its mask as
 * {@link countFrames} weighs it, so the accuracy stays within [0, 1] (a row
 * of mask 0.5 is half a frame, correct or not). Ties go to the lower index.
 */
export function countCorrect(scores: Float32Array, targets: Int32Array, mask: Float32Array, rows: number, cols: number): number {
  const argmax = new Int32Array(rows);
  argmaxRows(scores, rows, cols, argmax);
  return countMatches(argmax, targets, mask, rows);
}

/**
 * {@link countCorrect} from each row's arg-max (a kernel set's `argmaxRows`):
 * the unmasked rows whose arg-max is the target, each weighed by its mask.
 */
export function countMatches(argmax: Int32Array, targets: Int32Array, mask: Float32Array, rows: number): number {
  let correct = 0;
  for (let r = 0; r < rows; r++) if (mask[r] !== 0 && argmax[r] === targets[r]) correct += mask[r];
  return correct;
}

/**
 * Frame accuracy's numerator on `kernels`: through their `argmaxRows` where
 * they have one, else the portable one (`argmax` holds a value per row).
 */
export function correctFrames(kernels: Pick<Kernels, 'argmaxRows'>, scores: Float32Array, targets: Int32Array, mask: Float32Array, rows: number, cols: number, argmax: Int32Array): number {
  (kernels.argmaxRows ?? argmaxRows)(scores, rows, cols, argmax);
  return countMatches(argmax, targets, mask, rows);
}

/** Σ mask: the frames that count. */
export function countFrames(mask: Float32Array): number {
  let frames = 0;
  for (let i = 0; i < mask.length; i++) frames += mask[i];
  return frames;
}
