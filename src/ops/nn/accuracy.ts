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

/** Σ mask: the frames that count. */
export function countFrames(mask: Float32Array): number {
  let frames = 0;
  for (let i = 0; i < mask.length; i++) frames += mask[i];
  return frames;
}
