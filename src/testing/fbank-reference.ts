import { defaultFbankOptions, type FbankOptions } from '../ops/dsp/fbank.js';

/** Kaldi's log floor: a band's energy is at least float32 ε before the log. */
const ENERGY_FLOOR = 1.1920928955078125e-7;

/** Features in float64, row-major [frames, bins]. */
export interface ReferenceFeatures {
  readonly frames: number;
  readonly bins: number;
  /** [frames, bins] natural logs of mel band energies */
  readonly data: Float64Array;
}

/**
 * Log mel filterbank energies as Kaldi's compute-fbank-feats computes them,
 * written out plainly in float64 from Kaldi's definitions, calling nothing of
 * lstmp's (only its settings are shared: options not given take lstmp's
 * defaults, `defaultFbankOptions`: Kaldi's with 40 bins and no dither). Slow
 * and simple on purpose: an oracle for an fbank of your own, or for lstmp's
 * `fbank` (whose tests hold it to this within 1e-4).
 *
 * `samples` are normalised to [−1, 1) at `sampleRate`, as decodeWav gives
 * them; Kaldi reads int16 values, so each is scaled by 32768 first. Per frame
 * of ⌊rate·length/1000⌋ samples every ⌊rate·shift/1000⌋ (snip_edges: whole
 * frames only, 1 + ⌊(N − L)/S⌋ of them when N ≥ L, else none):
 *
 * 1. the frame's mean is subtracted (remove_dc_offset, when on);
 * 2. pre-emphasis, x[i] −= p·x[i−1] and x[0] −= p·x[0];
 * 3. the window: povey (Hann to the power 0.85), hanning, hamming or
 *    rectangular, over L samples (Kaldi's a = 2π/(L − 1));
 * 4. zero padding to the next power of two n (round_to_power_of_two) and
 *    the power spectrum |X[k]|² by the DFT's definition, for k < n/2
 *    (Kaldi's mel banks never read the Nyquist bin);
 * 5. `bins` triangles equally spaced in mel (1127·ln(1 + f/700)) between
 *    lowFreq and highFreq (≤ 0: Nyquist + highFreq), FFT bin k at k·rate/n
 *    Hz weighing max(0, min(up slope, down slope)) (use_power);
 * 6. ln(max(energy, float32 ε)) (use_log_fbank).
 *
 * Kaldi's dither is random, so the reference has none: it refuses dither > 0
 * with a RangeError. Cost: about n·L multiply-adds a frame (0.1 M at 16 kHz),
 * fine for a few seconds of audio.
 *
 * @example
 * const features = fbank(fbankPlan(), samples); // lstmp's, float32
 * const expected = referenceFbank(samples); // { frames, bins: 40, data: Float64Array }
 * closeTo(features.data, expected.data, 1e-4);
 */
export function referenceFbank(samples: ArrayLike<number>, options: Partial<FbankOptions> = {}): ReferenceFeatures {
  const o: FbankOptions = { ...defaultFbankOptions, ...options };
  if (o.dither !== 0) throw new RangeError(`referenceFbank computes without dither (Kaldi's is random), got dither ${o.dither}`);
  const length = Math.floor((o.sampleRate * o.frameLengthMs) / 1000);
  const shift = Math.floor((o.sampleRate * o.frameShiftMs) / 1000);
  if (!(length >= 2 && shift >= 1)) throw new RangeError(`frames of ${length} samples every ${shift}: need at least 2 every 1`);
  let n = 1;
  while (n < length) n *= 2;
  const frames = samples.length < length ? 0 : 1 + Math.floor((samples.length - length) / shift);

  // The window, from its formula (Kaldi's FeatureWindowFunction).
  const a = (2 * Math.PI) / (length - 1);
  const window = Float64Array.from({ length }, (_, i) => {
    const hann = 0.5 - 0.5 * Math.cos(a * i);
    return { povey: hann ** 0.85, hanning: hann, hamming: 0.54 - 0.46 * Math.cos(a * i), rectangular: 1 }[o.window];
  });
  // cos and sin of 2πm/n: the DFT's e^{−2πikj/n} at m = kj mod n, reduced exactly in integers.
  const cos = Float64Array.from({ length: n }, (_, m) => Math.cos((2 * Math.PI * m) / n));
  const sin = Float64Array.from({ length: n }, (_, m) => Math.sin((2 * Math.PI * m) / n));
  // The dense [bins, n/2] triangular weights (torchaudio's formulation of Kaldi's MelBanks).
  const mel = (hz: number) => 1127 * Math.log(1 + hz / 700);
  const high = o.highFreq > 0 ? o.highFreq : o.sampleRate / 2 + o.highFreq;
  const delta = (mel(high) - mel(o.lowFreq)) / (o.bins + 1);
  const weights = Float64Array.from({ length: o.bins * (n / 2) }, (_, i) => {
    const [b, k] = [Math.floor(i / (n / 2)), i % (n / 2)];
    const left = mel(o.lowFreq) + b * delta;
    const m = mel((k * o.sampleRate) / n);
    return Math.max(0, Math.min((m - left) / delta, (left + 2 * delta - m) / delta));
  });

  const data = new Float64Array(frames * o.bins);
  for (let t = 0; t < frames; t++) {
    let x = Array.from({ length }, (_, i) => samples[t * shift + i] * 32768);
    if (o.removeDcOffset) {
      const mean = x.reduce((sum, v) => sum + v, 0) / length;
      x = x.map((v) => v - mean);
    }
    x = x.map((v, i) => (v - o.preemphasis * (i === 0 ? v : x[i - 1])) * window[i]);
    const power = Array.from({ length: n / 2 }, (_, k) => {
      let re = 0;
      let im = 0;
      for (let j = 0; j < length; j++) {
        re += x[j] * cos[(k * j) % n];
        im -= x[j] * sin[(k * j) % n];
      }
      return re * re + im * im;
    });
    for (let b = 0; b < o.bins; b++) {
      let energy = 0;
      for (let k = 0; k < n / 2; k++) energy += weights[b * (n / 2) + k] * power[k];
      data[t * o.bins + b] = Math.log(Math.max(energy, ENERGY_FLOOR));
    }
  }
  return { frames, bins: o.bins, data };
}
