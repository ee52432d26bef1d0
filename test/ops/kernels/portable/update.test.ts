import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kernelsUnderTest, placed } from '../../../support/kernels.js';

/** An update: a slice of arrays long enough for it, the gradient with large values for the clip to bite. */
const updateCase = fc
  .record({
    length: fc.integer({ min: 0, max: 70 }),
    before: fc.integer({ min: 0, max: 9 }),
    after: fc.integer({ min: 0, max: 9 }),
    rate: fc.double({ min: 1e-4, max: 2, noNaN: true }),
    momentum: fc.constantFrom(0, 0.5, 0.9),
    withVelocity: fc.boolean(),
    clip: fc.constantFrom(Infinity, 1, 0.25),
    inMemory: fc.boolean(),
  })
  .chain((c) => {
    const size = c.before + c.length + c.after;
    const values = (scale: number) => fc.float32Array({ minLength: size, maxLength: size, noNaN: true, noDefaultInfinity: true, min: -scale, max: scale });
    return fc.record({ c: fc.constant({ ...c, withVelocity: c.withVelocity || c.momentum !== 0 }), params: values(10), velocity: values(1), gradient: values(4) });
  });

describe.each(kernelsUnderTest)('sgdStep ($name kernels)', (kernels) => {
  it('steps the slice as a float64 reference does, clipping the gradient, touching nothing else', () => {
    fc.assert(
      fc.property(updateCase, ({ c, params, velocity, gradient }) => {
        const p = placed(kernels, params, c.inMemory);
        const v = c.withVelocity ? placed(kernels, velocity, c.inMemory) : null;
        const g = placed(kernels, gradient, c.inMemory);
        kernels.sgdStep(p, v, g, c.before, c.length, c.rate, c.momentum, c.clip);
        for (let i = 0; i < params.length; i++) {
          const inside = i >= c.before && i < c.before + c.length;
          const step = -c.rate * Math.max(-c.clip, Math.min(c.clip, gradient[i]));
          const wantV = c.momentum * velocity[i] + step;
          const wantP = params[i] + (v ? wantV : step);
          const tolerance = 1e-6 * (Math.abs(params[i]) + Math.abs(wantV) + 1);
          expect(Math.abs(p[i] - (inside ? wantP : params[i])), `parameter ${i}`).toBeLessThanOrEqual(inside ? tolerance : 0);
          if (v) expect(Math.abs(v[i] - (inside ? wantV : velocity[i])), `velocity ${i}`).toBeLessThanOrEqual(inside ? tolerance : 0);
          expect(g[i]).toBe(gradient[i]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same bits whether the arrays live in its memory or not', () => {
    fc.assert(
      fc.property(updateCase, ({ c, params, velocity, gradient }) => {
        const run = (inMemory: boolean) => {
          const p = placed(kernels, params, inMemory);
          const v = c.withVelocity ? placed(kernels, velocity, inMemory) : null;
          kernels.sgdStep(p, v, placed(kernels, gradient, inMemory), c.before, c.length, c.rate, c.momentum, c.clip);
          return [Array.from(p), v && Array.from(v)];
        };
        expect(run(true)).toEqual(run(false));
      }),
      { numRuns: 100 },
    );
  });

  it('steps a slice longer than its staging blocks', () => {
    const n = 40_000;
    const gradient = Float32Array.from({ length: n }, (_, i) => (i % 7) - 3);
    const params = new Float32Array(n).fill(1);
    kernels.sgdStep(params, null, gradient, 0, n, 0.5, 0, 2);
    expect(params.every((p, i) => p === 1 - 0.5 * Math.max(-2, Math.min(2, gradient[i])))).toBe(true);
  });

  it('refuses a slice outside its arrays, and momentum without a velocity', () => {
    const x = kernels.alloc(8);
    expect(() => kernels.sgdStep(x, null, x, 4, 5, 1, 0, Infinity)).toThrow(RangeError);
    expect(() => kernels.sgdStep(x, null, kernels.alloc(4), 0, 5, 1, 0, Infinity)).toThrow(RangeError);
    expect(() => kernels.sgdStep(x, kernels.alloc(4), x, 0, 5, 1, 0.5, Infinity)).toThrow(RangeError);
    expect(() => kernels.sgdStep(x, null, x, 0, 8, 1, 0.5, Infinity)).toThrow(/needs a velocity/);
  });
});

describe.each(kernelsUnderTest)('allFinite ($name kernels)', (kernels) => {
  it('is false exactly when some value is NaN or ±Infinity', () => {
    const special = fc.constantFrom(NaN, Infinity, -Infinity, 3.4e38, -3.4e38, 1e-45, 0, -0);
    fc.assert(
      fc.property(
        fc.array(fc.oneof({ weight: 20, arbitrary: fc.float({ noNaN: true, noDefaultInfinity: true }) }, { weight: 1, arbitrary: special }), { maxLength: 70 }),
        fc.boolean(),
        (values, inMemory) => {
          const x = placed(kernels, Float32Array.from(values), inMemory);
          expect(kernels.allFinite(x)).toBe(values.every(Number.isFinite));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('finds one NaN anywhere in a long array', () => {
    const x = kernels.alloc(50_003);
    const outside = new Float32Array(50_003);
    expect(kernels.allFinite(x) && kernels.allFinite(outside)).toBe(true);
    for (const at of [0, 3, 16_384, 50_002]) {
      x[at] = outside[at] = NaN;
      expect([kernels.allFinite(x), kernels.allFinite(outside)]).toEqual([false, false]);
      x[at] = outside[at] = 0;
    }
  });
});
