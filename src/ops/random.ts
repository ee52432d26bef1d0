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

/** Murmur3's finaliser: spreads every input bit over the 32-bit result. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A seed for stream `index` of seed `seed`: a draw's randomness depends on
 * (seed, index) only, never on which thread makes it. Chain it for more
 * coordinates: mixSeed(mixSeed(seed, utterance), epoch).
 */
export function mixSeed(seed: number, index: number): number {
  return fmix32((seed >>> 0) ^ fmix32((index + 0x9e3779b9) >>> 0));
}

/** A 32-bit hash of a string (FNV-1a, then Murmur3's finaliser): an utterance id as a seed coordinate. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return fmix32(h >>> 0);
}
