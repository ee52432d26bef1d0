/**
 * A seeded pseudo-random generator (mulberry32): same seed, same sequence, on
 * every platform. Returns a function giving uniform numbers in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fills `out` with values uniform in (-range, range) drawn from `random`. */
export function fillUniform(out: Float32Array, range: number, random: () => number): void {
  for (let i = 0; i < out.length; i++) out[i] = (2 * random() - 1) * range;
}
