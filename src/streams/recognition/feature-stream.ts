import { applyCmvn, accumulateCmvn, cmvnTransform, emptyCmvnStats, type CmvnStats } from '../../ops/dsp/cmvn.js';
import { ditherSource, fbankFrames, type FbankPlan } from '../../ops/dsp/fbank.js';
import { firstInputOf, lastInputOf, resamplePart, resamplePlan, resampledLength, type ResamplePlan } from '../../ops/dsp/resample.js';
import type { Normalisation } from '../pipeline/features.js';

/** Normalised feature rows [frames, bins], as many as the audio so far makes. */
export interface FeatureRows {
  readonly frames: number;
  readonly bins: number;
  readonly data: Float32Array;
}

/**
 * Audio in blocks of any size → the rows {@link featuresOf} makes of the
 * whole, as soon as each can be made: resampled to the plan's rate, framed,
 * normalised. Holds only the samples the next rows still read.
 */
export interface FeatureStream {
  /** input samples taken so far */
  readonly samples: number;
  /** the rows that `block` (at the input rate) completes */
  push(block: Float32Array): FeatureRows;
  /** the rows the end of the audio completes (the resampler's last outputs read past it as zeros) */
  end(): FeatureRows;
}

/** A growable window onto a signal: samples start … start + length − 1 of it. */
class Window {
  data = new Float32Array(4096);
  start = 0;
  length = 0;

  append(block: Float32Array): void {
    if (this.length + block.length > this.data.length) {
      const grown = new Float32Array(Math.max(2 * this.data.length, this.length + block.length));
      grown.set(this.data.subarray(0, this.length));
      this.data = grown;
    }
    this.data.set(block, this.length);
    this.length += block.length;
  }

  /** Forgets every sample before `index` (absolute). */
  dropBefore(index: number): void {
    const drop = Math.min(this.length, index - this.start);
    if (drop <= 0) return;
    this.data.copyWithin(0, drop, this.length);
    this.length -= drop;
    this.start += drop;
  }

  get view(): Float32Array {
    return this.data.subarray(0, this.length);
  }
}

/**
 * The feature stream of audio at `inputRate` for a recognizer's filterbank
 * and normalisation. Global statistics (what lstmp train stores) give
 * exactly the batch features; per-utterance normalisation cannot wait for
 * the end, so it uses the statistics of the rows so far (Kaldi's online
 * CMVN without a window), and differs from batch at the start.
 *
 * @example
 * const stream = featureStream(recognizer.fbank, 8000, recognizer.normalisation);
 * stream.push(block); stream.end();
 */
export function featureStream(plan: FbankPlan, inputRate: number, normalisation: Normalisation): FeatureStream {
  const rate = plan.options.sampleRate;
  const bins = plan.options.bins;
  const resampler: ResamplePlan | null = inputRate === rate ? null : resamplePlan(inputRate, rate);
  const input = new Window();
  const signal = new Window();
  const dither = ditherSource(plan);
  let taken = 0;
  let nextOutput = 0;
  let nextFrame = 0;
  let stats: CmvnStats = emptyCmvnStats(bins);

  /** Resampled samples up to output `limit` (exclusive), onto the signal. */
  function resampleTo(limit: number): void {
    if (resampler === null || limit <= nextOutput) return;
    const out = new Float32Array(limit - nextOutput);
    resamplePart(resampler, input.view, input.start, nextOutput, out.length, out, 0);
    nextOutput = limit;
    signal.append(out);
    input.dropBefore(firstInputOf(resampler, nextOutput));
  }

  function frames(): FeatureRows {
    const { frameLength, frameShift } = plan;
    const end = signal.start + signal.length;
    const count = end < nextFrame * frameShift + frameLength ? 0 : 1 + Math.floor((end - frameLength - nextFrame * frameShift) / frameShift);
    const data = new Float32Array(count * bins);
    fbankFrames(plan, signal.view, nextFrame * frameShift - signal.start, count, dither, data, 0);
    nextFrame += count;
    signal.dropBefore(nextFrame * frameShift);
    return normalise({ frames: count, bins, data });
  }

  function normalise(raw: FeatureRows): FeatureRows {
    if (normalisation === 'none' || raw.frames === 0) return raw;
    if (normalisation !== 'utterance') return applyCmvn(normalisation, raw);
    const out = new Float32Array(raw.data.length);
    for (let t = 0; t < raw.frames; t++) {
      const row = { frames: 1, bins, data: raw.data.subarray(t * bins, (t + 1) * bins) };
      stats = accumulateCmvn(stats, row);
      out.set(applyCmvn(cmvnTransform(stats), row).data, t * bins);
    }
    return { frames: raw.frames, bins, data: out };
  }

  return {
    get samples() {
      return taken;
    },
    push(block) {
      taken += block.length;
      if (resampler === null) signal.append(block);
      else {
        input.append(block);
        const available = input.start + input.length;
        let limit = nextOutput;
        while (lastInputOf(resampler, limit) < available) limit++;
        resampleTo(limit);
      }
      return frames();
    },
    end() {
      if (resampler !== null) resampleTo(resampledLength(resampler, taken));
      return frames();
    },
  };
}
