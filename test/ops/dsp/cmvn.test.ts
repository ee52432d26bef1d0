import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { accumulateCmvn, applyCmvn, cmvnTransform, emptyCmvnStats, normaliseUtterance, VARIANCE_FLOOR } from '../../../src/ops/dsp/cmvn.js';
import type { FeatureMatrix } from '../../../src/ops/dsp/fbank.js';

/** Features whose bins vary (log-mel-like values), [frames, bins]. */
const features = (minFrames: number, bins?: number): fc.Arbitrary<FeatureMatrix> =>
  fc
    .record({ frames: fc.integer({ min: minFrames, max: 60 }), bins: bins === undefined ? fc.integer({ min: 1, max: 12 }) : fc.constant(bins) })
    .chain(({ frames, bins }) =>
      fc.array(fc.float({ min: -20, max: 30, noNaN: true }), { minLength: frames * bins, maxLength: frames * bins }).map((values) => ({ frames, bins, data: Float32Array.from(values) })),
    );

/** Mean and (population) variance of each bin, two passes, float64. */
function columnMoments(f: FeatureMatrix): { mean: number[]; variance: number[] } {
  const mean = Array.from({ length: f.bins }, (_, b) => {
    let sum = 0;
    for (let t = 0; t < f.frames; t++) sum += f.data[t * f.bins + b];
    return sum / f.frames;
  });
  const variance = mean.map((m, b) => {
    let sum = 0;
    for (let t = 0; t < f.frames; t++) sum += (f.data[t * f.bins + b] - m) ** 2;
    return sum / f.frames;
  });
  return { mean, variance };
}

function concatFrames(a: FeatureMatrix, b: FeatureMatrix): FeatureMatrix {
  const data = new Float32Array(a.data.length + b.data.length);
  data.set(a.data);
  data.set(b.data, a.data.length);
  return { frames: a.frames + b.frames, bins: a.bins, data };
}

describe('normaliseUtterance', () => {
  test('every bin gets mean 0 and variance 1 (or stays 0 if it was nearly constant)', () => {
    fc.assert(
      fc.property(features(2), (f) => {
        const before = columnMoments(f);
        const after = columnMoments(normaliseUtterance(f));
        for (let b = 0; b < f.bins; b++) {
          expect(Math.abs(after.mean[b])).toBeLessThan(1e-4 / Math.sqrt(Math.max(before.variance[b], VARIANCE_FLOOR)));
          if (before.variance[b] > 1e-3) expect(after.variance[b]).toBeCloseTo(1, 3);
          else expect(after.variance[b]).toBeLessThanOrEqual(1 + 1e-3);
        }
      }),
    );
  });

  test('a constant band becomes exactly 0, never NaN or infinite', () => {
    const f: FeatureMatrix = { frames: 4, bins: 2, data: Float32Array.of(-15.942385, 1, -15.942385, 2, -15.942385, 3, -15.942385, 4) };
    const out = normaliseUtterance(f);
    expect([out.data[0], out.data[2], out.data[4], out.data[6]]).toEqual([0, 0, 0, 0]);
    expect(out.data.every(Number.isFinite)).toBe(true);
  });

  test('returns a new matrix and leaves its input alone', () => {
    fc.assert(
      fc.property(features(1), (f) => {
        const copy = f.data.slice();
        const out = normaliseUtterance(f);
        expect(f.data).toEqual(copy);
        expect(out.data).not.toBe(f.data);
        expect([out.frames, out.bins]).toEqual([f.frames, f.bins]);
      }),
    );
  });
});

describe('global CMVN statistics', () => {
  test('statistics accumulated utterance by utterance equal those of the concatenation', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }).chain((bins) => fc.array(features(0, bins), { minLength: 1, maxLength: 5 })), (utterances) => {
        const bins = utterances[0].bins;
        const stepwise = utterances.reduce(accumulateCmvn, emptyCmvnStats(bins));
        const whole = accumulateCmvn(emptyCmvnStats(bins), utterances.reduce(concatFrames));
        expect(stepwise.count).toBe(whole.count);
        for (let b = 0; b < bins; b++) {
          expect(stepwise.sum[b]).toBeCloseTo(whole.sum[b], 6);
          expect(stepwise.sumSquares[b]).toBeCloseTo(whole.sumSquares[b], 4);
        }
      }),
    );
  });

  test('the transform is the two-pass mean and inverse standard deviation', () => {
    fc.assert(
      fc.property(features(1), (f) => {
        const { mean, invStd } = cmvnTransform(accumulateCmvn(emptyCmvnStats(f.bins), f));
        const reference = columnMoments(f);
        for (let b = 0; b < f.bins; b++) {
          expect(mean[b]).toBeCloseTo(reference.mean[b], 4);
          const expected = 1 / Math.sqrt(Math.max(reference.variance[b], VARIANCE_FLOOR));
          expect(Math.abs(invStd[b] / expected - 1)).toBeLessThan(reference.variance[b] > 1e-2 ? 1e-5 : 0.05);
        }
      }),
    );
  });

  test('applying global statistics to the utterances they came from normalises the corpus', () => {
    fc.assert(
      fc.property(fc.array(features(2, 3), { minLength: 1, maxLength: 4 }), (utterances) => {
        const transform = cmvnTransform(utterances.reduce(accumulateCmvn, emptyCmvnStats(3)));
        const corpus = columnMoments(utterances.map((u) => applyCmvn(transform, u)).reduce(concatFrames));
        const raw = columnMoments(utterances.reduce(concatFrames));
        for (let b = 0; b < 3; b++) {
          expect(Math.abs(corpus.mean[b])).toBeLessThan(1e-3);
          if (raw.variance[b] > 1e-2) expect(corpus.variance[b]).toBeCloseTo(1, 3);
        }
      }),
    );
  });

  test('accumulating is pure: the statistics passed in are not changed', () => {
    const stats = emptyCmvnStats(2);
    const next = accumulateCmvn(stats, { frames: 1, bins: 2, data: Float32Array.of(1, 2) });
    expect(stats).toEqual(emptyCmvnStats(2));
    expect(next).toEqual({ count: 1, sum: Float64Array.of(1, 2), sumSquares: Float64Array.of(1, 4) });
  });

  test('no frames give the identity transform', () => {
    expect(cmvnTransform(emptyCmvnStats(3))).toEqual({ mean: new Float32Array(3), invStd: Float32Array.of(1, 1, 1) });
  });

  test('refuses features with a different bin count', () => {
    const f: FeatureMatrix = { frames: 1, bins: 3, data: new Float32Array(3) };
    expect(() => accumulateCmvn(emptyCmvnStats(2), f)).toThrow(RangeError);
    expect(() => applyCmvn(cmvnTransform(emptyCmvnStats(2)), f)).toThrow(RangeError);
  });
});
