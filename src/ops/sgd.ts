/**
 * One plain SGD step on a slice of the parameters:
 * params[i] −= rate · clip(gradient[i]) for i in [offset, offset + length).
 * `clip` bounds each gradient element to [−clip, clip] as Kaldi's nnet1 does;
 * Infinity leaves it alone. No locks: several threads may step one shared
 * buffer at once (Hogwild), as the paper's ASGD threads do.
 */
export function sgdStep(
  params: Float32Array,
  gradient: Float32Array,
  offset: number,
  length: number,
  rate: number,
  clip: number,
): void {
  const end = offset + length;
  if (clip === Infinity) {
    for (let i = offset; i < end; i++) params[i] -= rate * gradient[i];
    return;
  }
  for (let i = offset; i < end; i++) {
    const g = gradient[i];
    params[i] -= rate * (g > clip ? clip : g < -clip ? -clip : g);
  }
}

/** True when every value is finite (no NaN, no ±Infinity). */
export function allFinite(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}
