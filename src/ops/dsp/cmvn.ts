import type { FeatureMatrix } from './fbank.js';

/** Per-bin sums over `count` frames, in float64 so long corpora do not lose precision. */
export interface CmvnStats {
  count: number;
  sum: Float64Array;
  sumSquares: Float64Array;
}

/** What normalising does to each bin: (x − mean)·invStd. */
export interface CmvnTransform {
  mean: Float32Array;
  invStd: Float32Array;
}

/**
 * A variance below this (std 0.001) is raised to it, so a constant band
 * (floored silence) maps to 0 instead of dividing by zero or blowing up
 * rounding noise; real log-mel bands vary by far more.
 */
export const VARIANCE_FLOOR = 1e-6;

/** Statistics of no frames. */
export function emptyCmvnStats(bins: number): CmvnStats {
  return { count: 0, sum: new Float64Array(bins), sumSquares: new Float64Array(bins) };
}

/**
 * `stats` plus the frames of `features`, as new statistics (the inputs are
 * not changed). Its shape is a reducer's, for corpus-wide statistics.
 *
 * @example utterances$.pipe(reduce(accumulateCmvn, emptyCmvnStats(40)))
 */
export function accumulateCmvn(stats: CmvnStats, features: FeatureMatrix): CmvnStats {
  const bins = stats.sum.length;
  if (features.bins !== bins) throw new RangeError(`CMVN statistics have ${bins} bins, features have ${features.bins}`);
  const sum = stats.sum.slice();
  const sumSquares = stats.sumSquares.slice();
  const { frames, data } = features;
  for (let t = 0; t < frames; t++) {
    for (let b = 0; b < bins; b++) {
      const x = data[t * bins + b];
      sum[b] += x;
      sumSquares[b] += x * x;
    }
  }
  return { count: stats.count + frames, sum, sumSquares };
}

/**
 * The mean and inverse standard deviation of each bin, the variance floored
 * at `varianceFloor`. No frames give mean 0 and invStd 1 (the identity).
 *
 * @example const transform = cmvnTransform(corpusStats)
 */
export function cmvnTransform(stats: CmvnStats, varianceFloor = VARIANCE_FLOOR): CmvnTransform {
  const bins = stats.sum.length;
  const mean = new Float32Array(bins);
  const invStd = new Float32Array(bins).fill(1);
  if (stats.count === 0) return { mean, invStd };
  for (let b = 0; b < bins; b++) {
    const m = stats.sum[b] / stats.count;
    const variance = stats.sumSquares[b] / stats.count - m * m;
    mean[b] = m;
    invStd[b] = 1 / Math.sqrt(Math.max(variance, varianceFloor));
  }
  return { mean, invStd };
}

/**
 * New features with every bin normalised: (x − mean)·invStd.
 *
 * @example applyCmvn(cmvnTransform(corpusStats), features)
 */
export function applyCmvn(transform: CmvnTransform, features: FeatureMatrix): FeatureMatrix {
  const { mean, invStd } = transform;
  const { frames, bins, data } = features;
  if (mean.length !== bins) throw new RangeError(`CMVN transform has ${mean.length} bins, features have ${bins}`);
  const out = new Float32Array(data.length);
  for (let t = 0; t < frames; t++) {
    for (let b = 0; b < bins; b++) out[t * bins + b] = (data[t * bins + b] - mean[b]) * invStd[b];
  }
  return { frames, bins, data: out };
}

/**
 * The utterance normalised by its own statistics (per-utterance CMVN), as a
 * new matrix: every bin gets mean 0 and variance 1 (or 0 if constant).
 *
 * @example normaliseUtterance(fbank(plan, samples))
 */
export function normaliseUtterance(features: FeatureMatrix): FeatureMatrix {
  return applyCmvn(cmvnTransform(accumulateCmvn(emptyCmvnStats(features.bins), features)), features);
}
