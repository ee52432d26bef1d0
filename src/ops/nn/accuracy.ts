/**
 * How many unmasked rows of a [rows, cols] score matrix have their maximum at
 * the target (frame accuracy's numerator), each weighed by its mask as
 * {@link countFrames} weighs it, so the accuracy stays within [0, 1] (a row
 * of mask 0.5 is half a frame, correct or not). Ties go to the lower index.
 */
export function countCorrect(scores: Float32Array, targets: Int32Array, mask: Float32Array, rows: number, cols: number): number {
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    if (mask[r] === 0) continue;
    const row = r * cols;
    let best = 0;
    let bestScore = scores[row];
    for (let j = 1; j < cols; j++) {
      const score = scores[row + j];
      if (score > bestScore) {
        best = j;
        bestScore = score;
      }
    }
    if (best === targets[r]) correct += mask[r];
  }
  return correct;
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
 * they have one (`argmax` holds a value per row), else {@link countCorrect}.
 */
export function correctFrames(kernels: { readonly argmaxRows?: (x: Float32Array, rows: number, cols: number, out: Int32Array) => void }, scores: Float32Array, targets: Int32Array, mask: Float32Array, rows: number, cols: number, argmax: Int32Array): number {
  if (!kernels.argmaxRows) return countCorrect(scores, targets, mask, rows, cols);
  kernels.argmaxRows(scores, rows, cols, argmax);
  return countMatches(argmax, targets, mask, rows);
}

/** Σ mask: the frames that count. */
export function countFrames(mask: Float32Array): number {
  let frames = 0;
  for (let i = 0; i < mask.length; i++) frames += mask[i];
  return frames;
}
