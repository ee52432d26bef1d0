import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closeTo, shareOfBound, ulpOf } from '../../src/testing/close-to.js';

/** The next float32 above a positive finite float32, from its bits. */
function nextFloat32Up(x: number): number {
  const bits = new Uint32Array(Float32Array.of(x).buffer);
  bits[0]++;
  return new Float32Array(bits.buffer)[0];
}

// Values of moderate size, so that adding a share of a relative bound to one moves it by that share.
const values = fc.array(fc.integer({ min: -1e9, max: 1e9 }).map((x) => x / 1e3), { minLength: 1, maxLength: 30 });

describe('closeTo', () => {
  it('passes within the bound and returns the element that used most of it, as a brute-force search finds it', () => {
    fc.assert(
      fc.property(values, fc.array(fc.double({ min: -0.99, max: 0.99, noNaN: true }), { minLength: 30, maxLength: 30 }), fc.double({ min: 1e-6, max: 1, noNaN: true }), (expected, share, relative) => {
        const allowed = expected.map((e) => relative * Math.abs(e));
        const actual = expected.map((e, i) => e + share[i] * allowed[i]);
        const worst = closeTo(actual, expected, { relative });
        const shares = expected.map((e, i) => (allowed[i] === 0 ? 0 : Math.abs(actual[i] - e) / allowed[i]));
        expect(shares[worst.index]).toBe(Math.max(...shares));
        expect([worst.actual, worst.expected, worst.allowed]).toEqual([actual[worst.index], expected[worst.index], allowed[worst.index]]);
      }),
    );
  });

  it('throws naming the worst element past its bound: index, both values, error, ulps, relative error, and how many failed', () => {
    fc.assert(
      fc.property(values, fc.nat(), fc.double({ min: 2, max: 1e3, noNaN: true }), (expected, pick, factor) => {
        const index = pick % expected.length;
        const actual = expected.slice();
        actual[index] += factor * (1e-3 + Math.abs(expected[index]) * 1e-3);
        const error = Math.abs(actual[index] - expected[index]);
        const thrown = (() => {
          try {
            closeTo(actual, expected, { absolute: 1e-3, relative: 1e-3 }, 'x');
          } catch (e) {
            return (e as Error).message;
          }
        })();
        expect(thrown).toBe(
          `x[${index}] = ${actual[index]}, want ${expected[index]} ± ${1e-3 + 1e-3 * Math.abs(expected[index])} (error ${error}, ${error / ulpOf(expected[index])} ulps, relative error ${error / Math.abs(expected[index])}); 1 of ${expected.length} elements outside their bound`,
        );
      }),
    );
  });

  it('lets an element be its expected value or that value rounded to float32, NaN and ±Infinity included', () => {
    expect(closeTo([NaN, Infinity, Math.fround(0.1), -Infinity], [NaN, 1e39, 0.1, -1e39], 0).error).toBe(0);
    expect(() => closeTo([NaN], [1], 1e9)).toThrow(/element\[0\] = NaN, want 1/);
    expect(() => closeTo([1], [NaN], { relative: 1 })).toThrow(/element\[0\] = 1, want NaN/);
    expect(() => closeTo([0.1], [0.1 + 1e-9], 0)).toThrow(/1 of 1 elements/);
  });

  it('sums absolute, relative and ulps bounds, or takes one bound per element', () => {
    // Bounds of 0 or at least 1e-9, far above the float64 spacing at e: e ± 0.9 or 1.1 bounds are what they say.
    const part = fc.oneof(fc.constant(0), fc.double({ min: 1e-9, max: 1e-3, noNaN: true }));
    fc.assert(
      fc.property(fc.integer({ min: -1e6, max: 1e6 }).map((x) => x / 1e3), part, part, fc.integer({ min: 0, max: 8 }), (e, absolute, relative, ulps) => {
        const bound = absolute + relative * Math.abs(e) + ulps * ulpOf(e);
        expect(closeTo([e + 0.9 * bound], [e], { absolute, relative, ulps }).allowed).toBe(bound);
        expect(closeTo([e], [e], (expected, i) => (expected === e && i === 0 ? bound : NaN)).allowed).toBe(bound);
        if (bound > 0) expect(() => closeTo([e - 1.1 * bound], [e], { absolute, relative, ulps })).toThrow();
      }),
    );
  });

  it('refuses arrays of different lengths', () => {
    expect(() => closeTo([1, 2], [1], 1, 'c')).toThrow('c: 2 values, want 1');
  });
});

describe('ulpOf', () => {
  it('is the distance from a float32 to the next one up', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true, max: Math.fround(3e38), min: Math.fround(-3e38) }), (x) => {
        const magnitude = Math.abs(x);
        expect(ulpOf(x)).toBe(nextFloat32Up(magnitude) - magnitude);
      }),
      { numRuns: 1000 },
    );
    expect([ulpOf(1), ulpOf(0), ulpOf(Infinity), ulpOf(NaN)]).toEqual([2 ** -23, 2 ** -149, NaN, NaN]);
  });
});

describe('shareOfBound', () => {
  it('is error ÷ bound, 0 for no error, Infinity for a NaN or any error where none is allowed', () => {
    expect([shareOfBound(1, 4), shareOfBound(0, 0), shareOfBound(1e-9, 0), shareOfBound(NaN, 1), shareOfBound(3, 2)]).toEqual([0.25, 0, Infinity, Infinity, 1.5]);
  });
});
