import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kernelsUnderTest, placed } from '../../../support/kernels.js';
import { crossEntropy } from '../../../../src/ops/nn/cross-entropy.js';

// Up to 41 columns: rows of whole SIMD vectors, of vectors and a remainder, and shorter than one vector.
const matrix = fc
  .record({ rows: fc.integer({ min: 1, max: 6 }), cols: fc.integer({ min: 1, max: 41 }), inMemory: fc.boolean() })
  .chain(({ rows, cols, inMemory }) =>
    fc.record({
      rows: fc.constant(rows),
      cols: fc.constant(cols),
      inMemory: fc.constant(inMemory),
      x: fc.float32Array({ minLength: rows * cols, maxLength: rows * cols, min: -80, max: 80, noNaN: true }),
      targets: fc.array(fc.integer({ min: 0, max: cols - 1 }), { minLength: rows, maxLength: rows }).map((a) => Int32Array.from(a)),
      mask: fc.array(fc.constantFrom(0, 1, 0.5), { minLength: rows, maxLength: rows }).map((a) => Float32Array.from(a)),
    }),
  );

describe.each(kernelsUnderTest)('softmax ($name kernels)', (kernels) => {
  describe('logSoftmaxRows', () => {
    it('gives rows whose probabilities sum to 1, matching a float64 reference', () => {
      fc.assert(
        fc.property(matrix, ({ rows, cols, x, inMemory }) => {
          const logp = placed(kernels, x, inMemory);
          kernels.logSoftmaxRows(logp, rows, cols);
          for (let r = 0; r < rows; r++) {
            const row = Array.from(x.subarray(r * cols, (r + 1) * cols));
            const max = Math.max(...row);
            const logZ = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
            // float32 rounding of logZ and of the difference
            row.forEach((v, j) => expect(Math.abs(logp[r * cols + j] - (v - logZ))).toBeLessThan(1e-6 * (1 + Math.abs(v) + Math.abs(logZ))));
          }
        }),
        { numRuns: 300 },
      );
    });

    it('gives the same bits whether the matrix lives in its memory or not', () => {
      fc.assert(
        fc.property(matrix, ({ rows, cols, x }) => {
          const inside = placed(kernels, x, true);
          const outside = placed(kernels, x, false);
          kernels.logSoftmaxRows(inside, rows, cols);
          kernels.logSoftmaxRows(outside, rows, cols);
          expect(Array.from(inside)).toEqual(Array.from(outside));
        }),
      );
    });

    it('does not overflow on huge logits', () => {
      const logp = placed(kernels, Float32Array.of(1e30, 0, -1e30), true);
      kernels.logSoftmaxRows(logp, 1, 3);
      expect(Array.from(logp)).toEqual([0, -1e30, -Math.fround(2e30)].map(Math.fround));
    });

    it('refuses rows that do not fit the array', () => {
      expect(() => kernels.logSoftmaxRows(kernels.alloc(10), 3, 4)).toThrow(RangeError);
      expect(() => kernels.crossEntropyGradient(kernels.alloc(12), new Int32Array(3), new Float32Array(3), 3, 4, kernels.alloc(11))).toThrow(RangeError);
    });
  });

  describe('crossEntropyGradient', () => {
    it('is the loss summed over unmasked frames and its exact gradient, zero on masked frames', () => {
      fc.assert(
        fc.property(matrix, ({ rows, cols, x, targets, mask, inMemory }) => {
          const logp = placed(kernels, x, inMemory);
          kernels.logSoftmaxRows(logp, rows, cols);
          const d = placed(kernels, new Float32Array(rows * cols).fill(NaN), inMemory);
          const loss = kernels.crossEntropyGradient(logp, targets, mask, rows, cols, d);
          let expected = 0;
          for (let r = 0; r < rows; r++) expected -= mask[r] * logp[r * cols + targets[r]];
          expect(loss).toBeCloseTo(expected, 6);
          expect(crossEntropy(logp, targets, mask, rows, cols)).toBe(loss);
          for (let r = 0; r < rows; r++) {
            for (let j = 0; j < cols; j++) {
              const want = mask[r] * (Math.exp(logp[r * cols + j]) - (j === targets[r] ? 1 : 0));
              expect(Math.abs(d[r * cols + j] - want)).toBeLessThan(1e-6);
            }
          }
        }),
        { numRuns: 300 },
      );
    });

    it('gives the same bits whether its arrays live in its memory or not', () => {
      fc.assert(
        fc.property(matrix, ({ rows, cols, x, targets, mask }) => {
          const run = (inMemory: boolean) => {
            const d = placed(kernels, new Float32Array(rows * cols), inMemory);
            kernels.crossEntropyGradient(placed(kernels, x.map((v) => v - 90), inMemory), targets, mask, rows, cols, d);
            return Array.from(d);
          };
          expect(run(true)).toEqual(run(false));
        }),
      );
    });
  });
});
