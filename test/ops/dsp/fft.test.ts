import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { inverseRealFft, powerSpectrum, realFft, realFftPlan } from '../../../src/ops/dsp/fft.js';

/** The DFT by its definition, in float64: re[k], im[k] for k in [0, n). */
function bruteForceDft(x: Float64Array): { re: Float64Array; im: Float64Array } {
  const n = x.length;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      const angle = (-2 * Math.PI * ((k * j) % n)) / n;
      re[k] += x[j] * Math.cos(angle);
      im[k] += x[j] * Math.sin(angle);
    }
  }
  return { re, im };
}

const signal = fc
  .integer({ min: 1, max: 10 })
  .chain((log2) => fc.array(fc.double({ min: -1000, max: 1000, noNaN: true }), { minLength: 2 ** log2, maxLength: 2 ** log2 }))
  .map((values) => Float64Array.from(values));

describe('realFft', () => {
  test('matches the DFT, packed as Kaldi packs it', () => {
    fc.assert(
      fc.property(signal, (x) => {
        const n = x.length;
        const { re, im } = bruteForceDft(x);
        const data = x.slice();
        realFft(realFftPlan(n), data);
        const tolerance = 1e-9 * n * Math.max(1, ...Array.from(x, Math.abs));
        expect(Math.abs(data[0] - re[0])).toBeLessThan(tolerance);
        expect(Math.abs(data[1] - re[n / 2])).toBeLessThan(tolerance);
        for (let k = 1; k < n / 2; k++) {
          expect(Math.abs(data[2 * k] - re[k])).toBeLessThan(tolerance);
          expect(Math.abs(data[2 * k + 1] - im[k])).toBeLessThan(tolerance);
        }
      }),
      { numRuns: 60 },
    );
  });

  test('a plan is reusable: the same input twice gives the same spectrum', () => {
    const plan = realFftPlan(64);
    const x = Float64Array.from({ length: 64 }, (_, i) => Math.sin(i * 0.3) + (i % 5));
    const a = x.slice();
    const b = x.slice();
    realFft(plan, a);
    realFft(plan, new Float64Array(64).fill(7));
    realFft(plan, b);
    expect(b).toEqual(a);
  });

  test('a cosine at bin k puts n/2 at bin k and nothing elsewhere', () => {
    const n = 512;
    const k = 37;
    const data = Float64Array.from({ length: n }, (_, i) => Math.cos((2 * Math.PI * k * i) / n));
    realFft(realFftPlan(n), data);
    const power = new Float64Array(n / 2 + 1);
    powerSpectrum(data, n, power);
    power.forEach((p, bin) => expect(p).toBeCloseTo(bin === k ? (n / 2) ** 2 : 0, 6));
  });

  test('refuses sizes that are not powers of two', () => {
    for (const size of [0, 1, 3, 400, 2.5, -8]) expect(() => realFftPlan(size)).toThrow(RangeError);
  });
});

describe('powerSpectrum', () => {
  test('is |X[k]|² for k in [0, n/2], and Parseval holds', () => {
    fc.assert(
      fc.property(signal, (x) => {
        const n = x.length;
        const { re, im } = bruteForceDft(x);
        const data = x.slice();
        realFft(realFftPlan(n), data);
        const power = new Float64Array(n / 2 + 1);
        powerSpectrum(data, n, power);
        const scale = 1e-9 * n * n * Math.max(1, ...Array.from(x, (v) => v * v));
        for (let k = 0; k <= n / 2; k++) expect(Math.abs(power[k] - (re[k] ** 2 + im[k] ** 2))).toBeLessThan(scale);
        // Σ|x|² = (1/n)·Σ_k |X[k]|², the bins 1..n/2−1 counting twice (conjugate symmetry).
        let energy = 0;
        for (const v of x) energy += v * v;
        let spectral = power[0] + power[n / 2];
        for (let k = 1; k < n / 2; k++) spectral += 2 * power[k];
        expect(Math.abs(spectral / n - energy)).toBeLessThan(scale);
      }),
      { numRuns: 60 },
    );
  });
});

describe('inverseRealFft', () => {
  test('undoes realFft for any size and signal', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 11 }).chain((log2) => fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 2 ** log2, maxLength: 2 ** log2 })), (values) => {
        const plan = realFftPlan(values.length);
        const data = Float64Array.from(values);
        realFft(plan, data);
        inverseRealFft(plan, data);
        values.forEach((v, i) => expect(Math.abs(data[i] - v)).toBeLessThan(1e-9 * (1 + Math.abs(v)) * values.length));
      }),
    );
  });
});
