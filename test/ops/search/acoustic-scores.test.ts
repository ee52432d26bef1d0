import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acousticScores } from '../../../src/ops/search/acoustic-scores.js';

describe('acousticScores', () => {
  it('is acousticScale · (log posterior − priorScale · log prior) from the first row asked for, −∞ where the prior is 0', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 3 }),
        fc.double({ min: 0.01, max: 2, noNaN: true }),
        fc.double({ min: 0, max: 2, noNaN: true }),
        fc.integer(),
        (S, T, first, acousticScale, priorScale, seed) => {
          const rows = first + T;
          const logp = Float32Array.from({ length: rows * S }, (_, i) => -((i * 7919 + seed) % 13) / 3);
          const priors = Float32Array.from({ length: S }, (_, s) => (s % 3 === 2 ? 0 : (s + 1) / 10));
          const out = new Float32Array(T * S);
          acousticScores(logp, first, T, S, priors, { acousticScale, priorScale }, out);
          for (let t = 0; t < T; t++) {
            for (let s = 0; s < S; s++) {
              const expected = priors[s] === 0 ? -Infinity : acousticScale * (logp[(first + t) * S + s] - priorScale * Math.log(priors[s]));
              if (expected === -Infinity) expect(out[t * S + s]).toBe(-Infinity);
              else expect(out[t * S + s]).toBeCloseTo(expected, 4);
            }
          }
        },
      ),
    );
  });

  it('turns posteriors equal to the priors into equal scores', () => {
    const priors = Float32Array.of(0.5, 0.25, 0.25);
    const out = new Float32Array(3);
    acousticScores(priors.map(Math.log), 0, 1, 3, priors, { acousticScale: 0.1, priorScale: 1 }, out);
    expect(Array.from(out, (v) => Math.abs(v) < 1e-7)).toEqual([true, true, true]);
  });
});
