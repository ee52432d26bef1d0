/** The logistic function σ(x) = 1 / (1 + e^-x). */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Clamps x to [-bound, bound]. */
export function clip(x: number, bound: number): number {
  return x > bound ? bound : x < -bound ? -bound : x;
}
