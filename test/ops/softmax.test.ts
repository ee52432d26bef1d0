import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crossEntropy, crossEntropyGradient, logSoftmaxRows } from '../../src/ops/softmax.js';

const matrix = fc
  .record({ rows: fc.integer({ min: 1, max: 6 }), cols: fc.integer({ min: 1, max: 8 }) })
  .chain(({ rows, cols }) =>
    fc.record({
      rows: fc.constant(rows),
      cols: fc.constant(cols),
      x: fc.float32Array({ minLength: rows * cols, maxLength: rows * cols, min: -80, max: 80, noNaN: true }),
      targets: fc.array(fc.integer({ min: 0, max: cols - 1 }), { minLength: rows, maxLength: rows }).map((a) => Int32Array.from(a)),
      mask: fc.array(fc.constantFrom(0, 1), { minLength: rows, maxLength: rows }).map((a) => Float32Array.from(a)),
    }),
  );

describe('logSoftmaxRows', () => {
  it('gives rows whose probabilities sum to 1, matching a float64 reference', () => {
    fc.assert(
      fc.property(matrix, ({ rows, cols, x }) => {
        const logp = x.slice();
        logSoftmaxRows(logp, rows, cols);
        for (let r = 0; r < rows; r++) {
          const row = Array.from(x.subarray(r * cols, (r + 1) * cols));
          const max = Math.max(...row);
          const logZ = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
          row.forEach((v, j) => expect(logp[r * cols + j]).toBeCloseTo(v - logZ, 4));
        }
      }),
    );
  });

  it('does not overflow on huge logits', () => {
    const logp = Float32Array.of(1e30, 0, -1e30);
    logSoftmaxRows(logp, 1, 3);
    expect(Array.from(logp)).toEqual([0, -1e30, -Math.fround(2e30)].map(Math.fround));
  });
});

describe('crossEntropyGradient', () => {
  it('is the loss summed over unmasked frames and its exact gradient, zero on masked frames', () => {
    fc.assert(
      fc.property(matrix, ({ rows, cols, x, targets, mask }) => {
        const logp = x.slice();
        logSoftmaxRows(logp, rows, cols);
        const d = new Float32Array(rows * cols).fill(NaN);
        const loss = crossEntropyGradient(logp, targets, mask, rows, cols, d);
        let expected = 0;
        for (let r = 0; r < rows; r++) if (mask[r]) expected -= logp[r * cols + targets[r]];
        expect(loss).toBeCloseTo(expected, 6);
        expect(crossEntropy(logp, targets, mask, rows, cols)).toBe(loss);
        for (let r = 0; r < rows; r++) {
          for (let j = 0; j < cols; j++) {
            const want = mask[r] ? Math.exp(logp[r * cols + j]) - (j === targets[r] ? 1 : 0) : 0;
            expect(d[r * cols + j]).toBeCloseTo(want, 6);
          }
        }
      }),
    );
  });
});
