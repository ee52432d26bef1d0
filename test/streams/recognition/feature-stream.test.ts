import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { encodeWav } from '../../../src/ops/codecs/wav.js';
import { accumulateCmvn, applyCmvn, cmvnTransform, emptyCmvnStats } from '../../../src/ops/dsp/cmvn.js';
import { fbank, fbankPlan } from '../../../src/ops/dsp/fbank.js';
import { featuresOf, type Normalisation } from '../../../src/streams/pipeline/features.js';
import { featureStream, type FeatureRows } from '../../../src/streams/recognition/feature-stream.js';

const signal = fc
  .array(fc.float({ min: -1, max: Math.fround(32767 / 32768), noNaN: true }), { minLength: 0, maxLength: 6000 })
  .map((values) => Float32Array.from(values));

/** Everything a stream gives for `samples` cut at the given sizes (cycled), rows joined. */
function streamed(samples: Float32Array, rate: number, cuts: readonly number[], normalisation: Normalisation, dither = 0): FeatureRows {
  const stream = featureStream(fbankPlan({ dither, seed: 3 }), rate, normalisation);
  const parts: FeatureRows[] = [];
  for (let at = 0, i = 0; at < samples.length; i++) {
    const next = Math.min(samples.length, at + cuts[i % cuts.length]);
    parts.push(stream.push(samples.subarray(at, next)));
    at = next;
  }
  parts.push(stream.end());
  expect(stream.samples).toBe(samples.length);
  const frames = parts.reduce((n, p) => n + p.frames, 0);
  const data = new Float32Array(frames * 40);
  let row = 0;
  for (const p of parts) {
    data.set(p.data, row * 40);
    row += p.frames;
  }
  return { frames, bins: 40, data };
}

const cmvn = cmvnTransform({ count: 2, sum: new Float64Array(40).fill(10), sumSquares: new Float64Array(40).fill(60) });

describe('featureStream', () => {
  it('gives exactly the rows featuresOf makes of the whole audio, at any rate, in any blocks', () => {
    fc.assert(
      fc.property(signal, fc.constantFrom(16000, 8000, 44100, 12345), fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1, maxLength: 6 }), fc.constantFrom<Normalisation>('none', cmvn), (samples, rate, cuts, normalisation) => {
        const whole = featuresOf(encodeWav(samples, rate), fbankPlan(), normalisation);
        // 16-bit WAV rounds the samples; the stream gets the same rounded ones.
        const rounded = Float32Array.from(samples, (x) => Math.max(-32768, Math.min(32767, Math.round(x * 32768))) / 32768);
        const rows = streamed(rounded, rate, cuts, normalisation);
        if (E.isLeft(whole)) {
          // a WAV of no samples is refused; the stream makes no rows of it
          expect(rows.frames).toBe(0);
          return;
        }
        expect(rows.frames).toBe(whole.right.frames);
        expect(rows.data).toEqual(whole.right.data);
      }),
      { numRuns: 60 },
    );
  });

  it('carries the dither noise across blocks as fbank draws it', () => {
    const samples = Float32Array.from({ length: 3000 }, (_, n) => 0.1 * Math.sin(n / 7));
    expect(streamed(samples, 16000, [123, 457], 'none', 1).data).toEqual(fbank(fbankPlan({ dither: 1, seed: 3 }), samples).data);
  });

  it('normalises per utterance by the statistics of the rows so far, the only ones it has', () => {
    const samples = Float32Array.from({ length: 4000 }, (_, n) => 0.2 * Math.sin(n / 5) * Math.sin(n / 900));
    const raw = fbank(fbankPlan(), samples);
    const rows = streamed(samples, 16000, [700], 'utterance');
    let stats = emptyCmvnStats(40);
    for (let t = 0; t < raw.frames; t++) {
      const row = { frames: 1, bins: 40, data: raw.data.subarray(t * 40, (t + 1) * 40) };
      stats = accumulateCmvn(stats, row);
      expect(rows.data.subarray(t * 40, (t + 1) * 40)).toEqual(applyCmvn(cmvnTransform(stats), row).data);
    }
  });
});
