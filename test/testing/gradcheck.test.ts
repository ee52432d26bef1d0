import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gradcheck, numericGradient } from '../../src/testing/gradcheck.js';

/** A smooth loss with a known gradient: Σ wᵢ·tanh(pᵢ) + Σ pᵢ·pᵢ₊₁. */
function loss(w: ArrayLike<number>) {
  const value = (p: ArrayLike<number>) => {
    let sum = 0;
    for (let i = 0; i < p.length; i++) sum += w[i] * Math.tanh(p[i]) + (i + 1 < p.length ? p[i] * p[i + 1] : 0);
    return sum;
  };
  const gradient = (p: ArrayLike<number>) =>
    Float64Array.from({ length: p.length }, (_, i) => w[i] * (1 - Math.tanh(p[i]) ** 2) + (i > 0 ? p[i - 1] : 0) + (i + 1 < p.length ? p[i + 1] : 0));
  return { value, gradient };
}

const vector = (length: { min: number; max: number }) => fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: length.min, maxLength: length.max });
const problem = fc.integer({ min: 1, max: 20 }).chain((n) => fc.record({ p: vector({ min: n, max: n }), w: vector({ min: n, max: n }) }));

describe('numericGradient', () => {
  it('is the gradient to float64 central-difference accuracy, and leaves the parameters as they were', () => {
    fc.assert(
      fc.property(problem, ({ p, w }) => {
        const params = Float64Array.from(p);
        const { value, gradient } = loss(w);
        const numeric = numericGradient(value, params, { step: 1e-5 });
        const exact = gradient(p);
        // truncation h²·f‴/6 (|f‴| ≤ 2|w| + 0 here) and rounding 2⁻⁵²·Σ|terms|/h
        numeric.forEach((g, i) => expect(Math.abs(g - exact[i])).toBeLessThan(1e-9 + 1e-6 * p.length));
        expect(Array.from(params)).toEqual(p);
      }),
    );
  });

  it('divides by the difference of the float32 values the loss saw, not by 2h', () => {
    const params = Float32Array.of(3000.3, -0.7);
    const [slope] = numericGradient((p) => 5 * p[0], params, { step: 1e-2, indices: [0] });
    expect(slope).toBe(5); // 3000.3 ± 0.01 rounds to float32s 0.019775… apart
    expect(Math.fround(3000.3 + 1e-2) - Math.fround(3000.3 - 1e-2)).not.toBe(2e-2);
  });

  it('leaves the parameters it does not check NaN', () => {
    const numeric = numericGradient((p) => p[1] * 2, Float64Array.of(1, 2, 3), { indices: [1] });
    expect(Array.from(numeric)).toEqual([NaN, 2, NaN]);
  });
});

describe('gradcheck', () => {
  it('passes a right gradient (float64 and float32 parameters) and returns the parameter closest to its bound', () => {
    fc.assert(
      fc.property(problem, ({ p, w }) => {
        const { value, gradient } = loss(w);
        const double = gradcheck(value, Float64Array.from(p), gradient(p));
        expect(double.checked).toBe(p.length);
        expect(double.worst.error).toBeLessThanOrEqual(double.worst.allowed);
        const single = Float32Array.from(p);
        gradcheck(value, single, gradient(single));
      }),
    );
  });

  it('throws naming the worst parameter when one derivative is wrong', () => {
    fc.assert(
      fc.property(problem, fc.nat(), fc.double({ min: 0.05, max: 10, noNaN: true }), ({ p, w }, pick, shift) => {
        const { value, gradient } = loss(w);
        const wrong = gradient(p);
        const index = pick % p.length;
        wrong[index] += shift;
        expect(() => gradcheck(value, Float64Array.from(p), wrong)).toThrow(
          new RegExp(`^gradcheck: parameter ${index}: analytic ${wrong[index]}, numeric \\S+ \\(error \\S+, allowed \\S+\\); 1 of ${p.length} checked parameters outside their bound$`),
        );
      }),
    );
  });

  it('checks a seeded sample of the parameters: as many as asked, each once, the same for the same seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 70 }), fc.integer(), (n, sample, seed) => {
        const probed = (s: number) => {
          const seen: number[] = [];
          const params = new Float64Array(n);
          gradcheck((q) => (q.forEach((v, i) => v !== 0 && seen.push(i)), 0), params, new Float64Array(n), { sample, seed: s });
          return seen.filter((_, k) => k % 2 === 0); // each parameter is probed up, then down
        };
        const first = probed(seed);
        expect(first).toHaveLength(Math.min(sample, n));
        expect(new Set(first).size).toBe(first.length);
        expect(probed(seed)).toEqual(first);
      }),
    );
  });

  it('counts a NaN loss as a failure and refuses indices that are not parameters', () => {
    expect(() => gradcheck(() => NaN, Float64Array.of(1), [0])).toThrow(/parameter 0: analytic 0, numeric NaN/);
    expect(() => gradcheck((p) => p[0], Float64Array.of(1), [1], { indices: [1] })).toThrow(RangeError);
    expect(() => gradcheck((p) => p[0], Float64Array.of(1), [1, 2])).toThrow(/a gradient of 2 values for 1 parameters/);
  });
});
