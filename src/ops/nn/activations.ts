/** The logistic function σ(x) = 1 / (1 + e^-x). */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * Clamps x to [-bound, bound] (NaN stays NaN). Math.min/max rather than a
 * chain of conditionals: V8 boxed the conditionals' result, allocating a
 * heap number per element in the update and cell loops.
 */
export function clip(x: number, bound: number): number {
  return Math.min(bound, Math.max(-bound, x));
}
