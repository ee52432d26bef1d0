import { resample } from '../dsp/resample.js';

/**
 * Speed perturbation (Ko, Peddinti, Povey & Khudanpur, Interspeech 2015):
 * the audio played `factor` times as fast, tempo and pitch together, as
 * sox's `speed` does. The samples are taken as if recorded at
 * rate·factor and resampled to `rate`, so the result has about n/factor
 * samples. `factor` times `rate` must be a whole number of hertz.
 *
 * @example speedPerturb(samples, 16000, 1.1) // 10 % faster, 10 % higher
 */
export function speedPerturb(samples: Float32Array, rate: number, factor: number): Float32Array {
  const playedAt = rate * factor;
  if (!(factor > 0) || !Number.isSafeInteger(Math.round(playedAt)) || Math.abs(playedAt - Math.round(playedAt)) > 1e-6) {
    throw new RangeError(`speed factor × rate must be a whole number of hertz, got ${factor} × ${rate}`);
  }
  return factor === 1 ? samples.slice() : resample(samples, Math.round(playedAt), rate);
}

/**
 * Frame labels for audio played `factor` times as fast: `frames` new
 * frames, each taking the label of the old frame whose centre is nearest
 * to its own centre mapped back to the old audio. Frames are `length`
 * samples every `shift` samples. The result never goes back in time (each
 * label comes from an old frame no earlier than its predecessor's) and every
 * new frame has one, so an alignment stays an alignment.
 *
 * @example resampleLabels(alignment, 1.1, frameCount(perturbed.length), 400, 160)
 */
export function resampleLabels(labels: Int32Array, factor: number, frames: number, length: number, shift: number): Int32Array {
  const out = new Int32Array(frames);
  if (labels.length === 0) {
    if (frames > 0) throw new RangeError(`no labels to stretch over ${frames} frames`);
    return out;
  }
  const last = labels.length - 1;
  for (let t = 0; t < frames; t++) {
    const centre = (t * shift + length / 2) * factor;
    const old = Math.round((centre - length / 2) / shift);
    out[t] = labels[Math.min(last, Math.max(0, old))];
  }
  return out;
}
