import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countStates, SILENCE_PRIOR_FACTOR, statePriors } from '../../../src/model/decoding/priors.js';

describe('statePriors', () => {
  it('divides the silence counts by the factor, then renormalises', () => {
    const priors = statePriors([27, 0, 3, 10, 20], [0, 1, 2], SILENCE_PRIOR_FACTOR);
    // silence 27 → 10, 3 → 10/9; total 10 + 10/9 + 30
    const total = 10 + 10 / 9 + 30;
    [10 / total, 0, 10 / 9 / total, 10 / total, 20 / total].forEach((p, s) => expect(priors[s]).toBeCloseTo(p, 7));
  });

  it('with factor 1 gives the relative frequencies, and always sums to 1', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1000), { minLength: 1, maxLength: 20 }), fc.double({ min: 0.1, max: 10, noNaN: true }), (counts, factor) => {
        fc.pre(counts.some((c) => c > 0));
        const total = counts.reduce((a, b) => a + b, 0);
        const plain = statePriors(counts, [], 1);
        counts.forEach((c, s) => expect(plain[s]).toBeCloseTo(c / total, 6));
        const weighted = statePriors(counts, [0], factor);
        expect(weighted.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        counts.forEach((c, s) => expect(weighted[s] === 0).toBe(c === 0));
      }),
    );
  });

  it('refuses a factor that is not a positive number', () => {
    expect(() => statePriors([1, 2], [0], 0)).toThrow(RangeError);
    expect(() => statePriors([1, 2], [0], NaN)).toThrow(RangeError);
  });
});

describe('countStates', () => {
  it('adds each frame to its state', () => {
    const counts = new Float64Array(4);
    countStates(Int32Array.of(0, 0, 3, 1, 0), counts);
    countStates(Int32Array.of(3), counts);
    expect(Array.from(counts)).toEqual([3, 1, 0, 2]);
  });
});
