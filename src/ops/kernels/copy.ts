/**
 * dst[to, to + n) = src[from, from + n): a copy between typed arrays without
 * the view `subarray` would allocate, for copies made on every step.
 */
export function copyFloats(src: Float32Array, from: number, dst: Float32Array, to: number, n: number): void {
  for (let i = 0; i < n; i++) dst[to + i] = src[from + i];
}
