import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { correctFrames, countCorrect, countFrames, countMatches } from '../../../src/ops/nn/accuracy.js';
import { kernelsUnderTest } from '../../support/kernels.js';

describe('frame accuracy', () => {
  // Three rows of scores over 3 columns: the best is column 2, a tie of 0 and 1 (the lower wins), column 1.
  const scores = Float32Array.of(0.1, 0.2, 0.7, 0.5, 0.5, 0, -1, 3, 2);

  it('counts the unmasked rows whose best score is at the target, ties to the lower index', () => {
    const mask = Float32Array.of(1, 1, 1);
    expect(countCorrect(scores, Int32Array.of(2, 0, 1), mask, 3, 3)).toBe(3);
    expect(countCorrect(scores, Int32Array.of(2, 1, 0), mask, 3, 3)).toBe(1);
    expect(countCorrect(scores, Int32Array.of(2, 0, 1), Float32Array.of(1, 0, 0), 3, 3)).toBe(1);
    expect(countFrames(Float32Array.of(1, 0, 1))).toBe(2);
  });

  it('weighs a row by its mask, as the frames are counted: a frame of mask 0.5 is half a frame, correct or not', () => {
    const mask = Float32Array.of(0.5, 1, 0);
    expect(countFrames(mask)).toBe(1.5);
    expect(countCorrect(scores, Int32Array.of(2, 1, 1), mask, 3, 3)).toBe(0.5);
  });

  it('never counts more correct frames than frames', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 }), fc.integer(), (rows, cols, seed) => {
        let state = seed;
        const next = () => ((state = (Math.imul(state, 1103515245) + 12345) | 0) >>> 0) / 2 ** 32;
        const scores = Float32Array.from({ length: rows * cols }, next);
        const targets = Int32Array.from({ length: rows }, () => Math.floor(next() * cols));
        const mask = Float32Array.from({ length: rows }, () => [0, 0.25, 0.5, 1][Math.floor(next() * 4)]);
        return countCorrect(scores, targets, mask, rows, cols) <= countFrames(mask);
      }),
    );
  });

  it.each(kernelsUnderTest)('counts as countCorrect on $name kernels, through their argmaxRows where they have one', (kernels) => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 70 }), fc.integer(), (rows, cols, seed) => {
        let state = seed;
        const next = () => ((state = (Math.imul(state, 1103515245) + 12345) | 0) >>> 0) / 2 ** 32;
        const scores = Float32Array.from({ length: rows * cols }, () => Math.floor(next() * 5)); // ties
        const targets = Int32Array.from({ length: rows }, () => Math.floor(next() * cols));
        const mask = Float32Array.from({ length: rows }, () => [0, 0.5, 1][Math.floor(next() * 3)]);
        expect(correctFrames(kernels, scores, targets, mask, rows, cols, new Int32Array(rows))).toBe(countCorrect(scores, targets, mask, rows, cols));
      }),
      { numRuns: 50 },
    );
  });

  it('countMatches counts the unmasked rows whose arg-max is the target, by their mask', () => {
    expect(countMatches(Int32Array.of(2, 0, 1), Int32Array.of(2, 1, 1), Float32Array.of(1, 1, 0.5), 3)).toBe(1.5);
  });
});
