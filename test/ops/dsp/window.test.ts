import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { windowFunction, windowTypes } from '../../../src/ops/dsp/window.js';

describe('windowFunction', () => {
  test('hanning, hamming and povey at their ends and middle', () => {
    // An odd length has its peak exactly in the middle.
    const hanning = windowFunction('hanning', 401);
    const hamming = windowFunction('hamming', 401);
    const povey = windowFunction('povey', 401);
    expect([hanning[0], hanning[200], hanning[400]]).toEqual([0, 1, 0]);
    expect(hamming[0]).toBeCloseTo(0.08, 15);
    expect(hamming[200]).toBeCloseTo(1, 15);
    expect([povey[0], povey[200]]).toEqual([0, 1]);
    expect(povey[100]).toBeCloseTo(0.5 ** 0.85, 12);
  });

  test('povey is hanning to the power 0.85, point by point (Kaldi FeatureWindowFunction)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 2048 }), (length) => {
        const hanning = windowFunction('hanning', length);
        const povey = windowFunction('povey', length);
        const hamming = windowFunction('hamming', length);
        let error = 0;
        for (let i = 0; i < length; i++) {
          const cos = Math.cos((2 * Math.PI * i) / (length - 1));
          error = Math.max(error, Math.abs(hanning[i] - (0.5 - 0.5 * cos)), Math.abs(hamming[i] - (0.54 - 0.46 * cos)), Math.abs(povey[i] - Math.pow(0.5 - 0.5 * cos, 0.85)));
        }
        expect(error).toBeLessThan(1e-14);
      }),
      { numRuns: 30 },
    );
  });

  test('every window is symmetric and within [0, 1]; rectangular is all ones', () => {
    fc.assert(
      fc.property(fc.constantFrom(...windowTypes), fc.integer({ min: 2, max: 1000 }), (type, length) => {
        const w = windowFunction(type, length);
        expect(w.length).toBe(length);
        expect(w.every((x) => x >= 0 && x <= 1)).toBe(true);
        expect(w.every((x, i) => Math.abs(x - w[length - 1 - i]) < 1e-12)).toBe(true);
        if (type === 'rectangular') expect(w.every((x) => x === 1)).toBe(true);
      }),
    );
  });

  test('refuses lengths below 2 and unknown types', () => {
    expect(() => windowFunction('povey', 1)).toThrow(RangeError);
    expect(() => windowFunction('povey', 2.5)).toThrow(RangeError);
    expect(() => windowFunction('kaiser' as 'povey', 10)).toThrow(RangeError);
  });
});
