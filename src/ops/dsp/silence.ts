/**
 * Where the run of near-silent samples (|x| ≤ threshold) that ends just
 * before `end` begins, looking back no further than `start`; `end` itself when
 * sample end − 1 is not silent.
 *
 * @example silentRunStart(Float32Array.of(0.5, 0, 0), 0, 3, 0) // 1
 */
export function silentRunStart(samples: Float32Array, start: number, end: number, threshold: number): number {
  let i = end;
  while (i > start && Math.abs(samples[i - 1]) <= threshold) i--;
  return i;
}
