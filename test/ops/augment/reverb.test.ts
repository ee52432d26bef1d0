import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convolve, roomImpulse } from '../../../src/ops/augment/reverb.js';
import { mulberry32 } from '../../../src/ops/random.js';

/** Direct convolution in float64, cut to the signal's length. */
function direct(x: Float32Array, h: Float32Array): number[] {
  return Array.from({ length: x.length }, (_, n) => {
    let sum = 0;
    for (let k = 0; k < h.length && k <= n; k++) sum += h[k] * x[n - k];
    return sum;
  });
}

const signal = (max: number) => fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 1, maxLength: max }).map((a) => Float32Array.from(a));

describe('convolve', () => {
  it('equals direct convolution, cut to the signal', () => {
    fc.assert(
      fc.property(signal(300), signal(120), (x, h) => {
        const fast = convolve(x, h);
        const slow = direct(x, h);
        expect(fast.length).toBe(x.length);
        for (let i = 0; i < x.length; i++) expect(Math.abs(fast[i] - slow[i])).toBeLessThan(1e-4 * (1 + Math.abs(slow[i])));
      }),
      { numRuns: 60 },
    );
  });

  it('with a unit impulse is the identity', () => {
    const x = Float32Array.from({ length: 500 }, (_, i) => Math.cos(i));
    expect(Array.from(convolve(x, Float32Array.of(1))).every((v, i) => Math.abs(v - x[i]) < 1e-6)).toBe(true);
  });
});

describe('roomImpulse', () => {
  it('has its direct path first, then a tail decaying 60 dB over RT60 with the energy asked for', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.2, max: 0.8, noNaN: true }), fc.double({ min: 0.3, max: 3, noNaN: true }), fc.nat(), (rt60, ratio, seed) => {
        const h = roomImpulse(16000, rt60, mulberry32(seed), ratio);
        expect(h.length).toBe(Math.ceil(rt60 * 16000));
        expect(h[0]).toBe(1);
        let tail = 0;
        for (let i = 1; i < h.length; i++) tail += h[i] * h[i];
        expect(tail).toBeCloseTo(ratio, 6);
        // Energy in the last tenth is about 54–60 dB below the first tenth of the tail.
        const tenth = Math.floor(h.length / 10);
        const energy = (from: number, to: number) => h.slice(from, to).reduce((s, v) => s + v * v, 0);
        const drop = 10 * Math.log10(energy(1, tenth) / energy(h.length - tenth, h.length));
        expect(drop).toBeGreaterThan(45);
        expect(drop).toBeLessThan(66);
      }),
      { numRuns: 25 },
    );
  });

  it('is a pure function of its random source', () => {
    expect(roomImpulse(16000, 0.3, mulberry32(5))).toEqual(roomImpulse(16000, 0.3, mulberry32(5)));
  });
});
