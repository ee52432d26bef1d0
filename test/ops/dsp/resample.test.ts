import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { firstInputOf, lastInputOf, resample, resamplePart, resamplePlan, resampledLength } from '../../../src/ops/dsp/resample.js';

function sine(seconds: number, rate: number, hz: number, amplitude = 0.8): Float32Array {
  return Float32Array.from({ length: Math.round(seconds * rate) }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / rate + 0.3));
}

/** Samples far enough from both ends that the filter sees no edge. */
const EDGE = 400;

/**
 * The least-squares fit a·sin + b·cos at `hz` over the interior: its
 * amplitude, and the rms of what the fit leaves (small only if the signal
 * really is a sine at that frequency).
 */
function fitSine(y: Float32Array, rate: number, hz: number): { amplitude: number; residual: number } {
  let ss = 0;
  let sc = 0;
  let cc = 0;
  let ys = 0;
  let yc = 0;
  for (let i = EDGE; i < y.length - EDGE; i++) {
    const s = Math.sin((2 * Math.PI * hz * i) / rate);
    const c = Math.cos((2 * Math.PI * hz * i) / rate);
    ss += s * s;
    sc += s * c;
    cc += c * c;
    ys += y[i] * s;
    yc += y[i] * c;
  }
  const det = ss * cc - sc * sc;
  const a = (ys * cc - yc * sc) / det;
  const b = (yc * ss - ys * sc) / det;
  let residual = 0;
  for (let i = EDGE; i < y.length - EDGE; i++) {
    const fit = a * Math.sin((2 * Math.PI * hz * i) / rate) + b * Math.cos((2 * Math.PI * hz * i) / rate);
    residual += (y[i] - fit) ** 2;
  }
  return { amplitude: Math.hypot(a, b), residual: Math.sqrt(residual / (y.length - 2 * EDGE)) };
}

function rms(y: Float32Array): number {
  let sum = 0;
  for (let i = EDGE; i < y.length - EDGE; i++) sum += y[i] * y[i];
  return Math.sqrt(sum / (y.length - 2 * EDGE));
}

describe('resample', () => {
  test.each([
    [22050, 16000, 1000],
    [22050, 16000, 7000],
    [44100, 16000, 3000],
    [48000, 16000, 6500],
    [8000, 16000, 3000],
    [11025, 16000, 4000],
    [16000, 8000, 3000],
    [16000, 16000, 5000],
  ])('a sine below the new Nyquist survives %i → %i Hz at %i Hz', (from, to, hz) => {
    const { amplitude, residual } = fitSine(resample(sine(0.5, from, hz), from, to), to, hz);
    expect(Math.abs(amplitude / 0.8 - 1)).toBeLessThan(0.01);
    expect(residual / 0.8).toBeLessThan(0.01);
  });

  test.each([
    [22050, 16000, 9000],
    [44100, 16000, 12000],
    [48000, 16000, 9000],
    [48000, 16000, 20000],
    [16000, 8000, 5000],
  ])('a sine above the new Nyquist is attenuated by more than 40 dB, %i → %i Hz at %i Hz', (from, to, hz) => {
    const input = sine(0.5, from, hz);
    expect(20 * Math.log10(rms(resample(input, from, to)) / rms(input))).toBeLessThan(-40);
  });

  test('DC is preserved away from the edges', () => {
    fc.assert(
      fc.property(fc.integer({ min: 4000, max: 48000 }), fc.integer({ min: 4000, max: 48000 }), fc.double({ min: -1, max: 1, noNaN: true }), (from, to, level) => {
        // The filter reaches 32 zero crossings, 32/(0.99·min rate) seconds, to each side.
        const reach = 32 / (0.99 * Math.min(from, to));
        const n = Math.ceil(3 * reach * from);
        const out = resample(new Float32Array(n).fill(level), from, to);
        let error = 0;
        for (let k = Math.ceil(reach * to); k / to < n / from - reach; k++) error = Math.max(error, Math.abs(out[k] - level));
        expect(error).toBeLessThan(1e-4);
      }),
      { numRuns: 30 },
    );
  });

  test('the output has ⌈n·to/from⌉ samples', () => {
    fc.assert(
      fc.property(fc.nat({ max: 200 }), fc.integer({ min: 1000, max: 96000 }), fc.integer({ min: 1000, max: 96000 }), (n, from, to) => {
        expect(resample(new Float32Array(n), from, to).length).toBe(Math.ceil((n * to) / from));
      }),
      { numRuns: 100 },
    );
    expect(resample(new Float32Array(22050), 22050, 16000).length).toBe(16000);
    expect(resample(new Float32Array(44101), 44100, 16000).length).toBe(16001);
    expect(resample(new Float32Array(8000), 8000, 16000).length).toBe(16000);
    expect(resample(new Float32Array(3), 44100, 16000).length).toBe(2);
  });

  test('equal rates give a copy', () => {
    const input = Float32Array.of(0.1, -0.5, 0.25);
    const output = resample(input, 16000, 16000);
    expect(output).toEqual(input);
    expect(output).not.toBe(input);
  });

  test('the gcd-periodic taps equal the windowed sinc summed directly', () => {
    // The filter by its definition (Kaiser-windowed sinc, 32 zero crossings,
    // cutoff 0.99 of the lower Nyquist), summed over every input sample.
    const i0 = (x: number): number => {
      let sum = 1;
      let term = 1;
      for (let k = 1; k < 60; k++) sum += term *= (x * x) / 4 / (k * k);
      return sum;
    };
    const direct = (x: Float32Array, from: number, to: number): Float64Array => {
      const cutoff = (0.99 * Math.min(from, to)) / 2;
      const halfWidth = 32 / (2 * cutoff);
      return Float64Array.from({ length: Math.ceil((x.length * to) / from) }, (_, k) => {
        let sum = 0;
        x.forEach((v, j) => {
          const t = j / from - k / to;
          if (Math.abs(t) >= halfWidth) return;
          const sinc = t === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * t) / (Math.PI * t);
          sum += (v * sinc * i0(7.857 * Math.sqrt(1 - (t / halfWidth) ** 2))) / i0(7.857) / from;
        });
        return sum;
      });
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 48000 }),
        fc.integer({ min: 1000, max: 48000 }),
        fc.array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: 1, maxLength: 200 }),
        (from, to, values) => {
          fc.pre(from !== to); // equal rates return a copy, not the filtered signal
          const x = Float32Array.from(values);
          const expected = direct(x, from, to);
          const actual = resample(x, from, to);
          expect(actual.length).toBe(expected.length);
          actual.forEach((y, k) => expect(Math.abs(y - expected[k])).toBeLessThan(1e-5));
        },
      ),
      { numRuns: 40 },
    );
  });

  test('rate pairs too irregular to tabulate are computed per sample, just as well', () => {
    // gcd(150001, 16001) = 1: 16001 phases of 608 taps exceed the table limit.
    const { amplitude, residual } = fitSine(resample(sine(1, 150001, 3000), 150001, 16001), 16001, 3000);
    expect(Math.abs(amplitude / 0.8 - 1)).toBeLessThan(0.01);
    expect(residual / 0.8).toBeLessThan(0.01);
  });

  test('any part of the output, from any window of the input holding what it reads, equals the whole signal resampled', () => {
    // What a stream does: it keeps the inputs from the first one its next output reads, and computes the
    // outputs whose last input has arrived (or, at the end, the rest).
    fc.assert(
      fc.property(
        fc.constantFrom(8000, 11025, 16000, 22050, 44100, 48000, 12345),
        fc.constantFrom(8000, 16000, 22050, 9999),
        fc.array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: 1, maxLength: 3000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.nat({ max: 50 }),
        (from, to, values, a, b, slack) => {
          fc.pre(from !== to);
          const x = Float32Array.from(values);
          const whole = resample(x, from, to);
          const plan = resamplePlan(from, to);
          expect(resampledLength(plan, x.length)).toBe(whole.length);
          const k0 = Math.floor(Math.min(a, b) * whole.length);
          const k1 = Math.max(k0, Math.floor(Math.max(a, b) * whole.length));
          const start = Math.max(0, Math.min(x.length, firstInputOf(plan, k0) - slack));
          // The window ends where the last output's reach does, or with the signal.
          const end = k1 > k0 ? Math.min(x.length, Math.max(start, lastInputOf(plan, k1 - 1) + 1)) : start;
          const atEnd = end === x.length;
          const out = new Float32Array(k1 - k0);
          resamplePart(plan, x.subarray(start, atEnd ? x.length : end), start, k0, k1 - k0, out, 0);
          expect(out).toEqual(whole.subarray(k0, k1));
        },
      ),
      { numRuns: 200 },
    );
  });

  test('refuses rates that are not whole positive numbers', () => {
    for (const [from, to] of [[0, 16000], [16000, -1], [22050.5, 16000], [NaN, 16000]]) {
      expect(() => resample(new Float32Array(10), from, to)).toThrow(RangeError);
    }
  });
});
