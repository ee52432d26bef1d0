import { powerSpectrum, realFft, realFftPlan, type RealFft } from './fft.js';
import { applyMelBank, melBank, type MelBank } from './mel.js';
import { mulberry32 } from '../random.js';
import { windowFunction, type WindowType } from './window.js';

/** Features of one utterance, row-major [frames, bins]. */
export interface FeatureMatrix {
  frames: number;
  bins: number;
  data: Float32Array;
}

/** Settings of Kaldi's compute-fbank-feats, under lstmp's names. */
export interface FbankOptions {
  sampleRate: number;
  frameLengthMs: number;
  frameShiftMs: number;
  bins: number;
  lowFreq: number;
  /** ≤ 0 means an offset from Nyquist (Kaldi's convention): 0 is Nyquist. */
  highFreq: number;
  preemphasis: number;
  window: WindowType;
  removeDcOffset: boolean;
  /** Standard deviation of Gaussian noise added per sample, at int16 scale (Kaldi's --dither); 0 = off. */
  dither: number;
  /** Seeds the dither noise, so features are reproducible. */
  seed: number;
  /** Kaldi's --vtln-warp: the mel filters' frequency warp (1: none; vocal tract length perturbation draws it near 1). */
  vtlnWarp: number;
}

/** Kaldi's defaults, with 40 bins and dither off (the fixture's settings). */
export const defaultFbankOptions: Readonly<FbankOptions> = {
  sampleRate: 16000,
  frameLengthMs: 25,
  frameShiftMs: 10,
  bins: 40,
  lowFreq: 20,
  highFreq: 0,
  preemphasis: 0.97,
  window: 'povey',
  removeDcOffset: true,
  dither: 0,
  seed: 0,
  vtlnWarp: 1,
};

/** Kaldi's log floor: the energy of an empty band is float32 epsilon, ln ε ≈ −15.94. */
const ENERGY_FLOOR = 1.1920928955078125e-7;
/** Samples arrive normalised to [-1, 1) and Kaldi works at int16 scale. */
const INT16_SCALE = 32768;

/**
 * Everything fbank needs precomputed once: frame geometry, window, sparse mel
 * weights, FFT tables and the scratch one frame is computed in. A plan is
 * reused across utterances; it is not shared between threads (the scratch).
 */
export interface FbankPlan {
  readonly options: Readonly<FbankOptions>;
  readonly frameLength: number;
  readonly frameShift: number;
  readonly window: Float64Array;
  readonly mel: MelBank;
  readonly fft: RealFft;
  readonly frame: Float64Array;
  readonly power: Float64Array;
  readonly energies: Float64Array;
}

/**
 * Frame length and shift in samples, truncated as Kaldi's WindowSize() and
 * WindowShift() truncate (25 ms, 10 ms at 16 kHz → 400, 160).
 */
function frameGeometry(options: Readonly<FbankOptions>): { frameLength: number; frameShift: number } {
  return {
    frameLength: Math.floor((options.sampleRate * options.frameLengthMs) / 1000),
    frameShift: Math.floor((options.sampleRate * options.frameShiftMs) / 1000),
  };
}

/**
 * How many frames fbank makes of `sampleCount` samples, Kaldi's snip_edges
 * rule: only whole frames, 1 + ⌊(N − 400)/160⌋ for N ≥ 400 at the defaults,
 * else 0. Alignments must have exactly this many frames.
 *
 * @example frameCount(16000) // 98 frames in one second
 */
export function frameCount(sampleCount: number, options: Partial<FbankOptions> = {}): number {
  const { frameLength, frameShift } = frameGeometry({ ...defaultFbankOptions, ...options });
  return wholeFrames(sampleCount, frameLength, frameShift);
}

function wholeFrames(sampleCount: number, frameLength: number, frameShift: number): number {
  return sampleCount < frameLength ? 0 : 1 + Math.floor((sampleCount - frameLength) / frameShift);
}

/**
 * Plans filterbank extraction; options not given take Kaldi's defaults.
 * Throws a RangeError for settings Kaldi would refuse (a programming error:
 * the CLI validates user input first).
 *
 * @example const plan = fbankPlan({ bins: 80 })
 */
export function fbankPlan(options: Partial<FbankOptions> = {}): FbankPlan {
  const resolved: FbankOptions = { ...defaultFbankOptions, ...options };
  const { frameLength, frameShift } = frameGeometry(resolved);
  if (!(resolved.sampleRate > 0)) throw new RangeError(`sample rate must be positive, got ${resolved.sampleRate}`);
  if (!(frameLength >= 2)) throw new RangeError(`a frame must hold at least 2 samples, got ${frameLength}`);
  if (!(frameShift >= 1)) throw new RangeError(`the frame shift must be at least 1 sample, got ${frameShift}`);
  if (!(resolved.preemphasis >= 0 && resolved.preemphasis <= 1)) throw new RangeError(`pre-emphasis must be in [0, 1], got ${resolved.preemphasis}`);
  if (!(resolved.dither >= 0 && Number.isFinite(resolved.dither))) throw new RangeError(`dither must be ≥ 0, got ${resolved.dither}`);
  let fftSize = 2;
  while (fftSize < frameLength) fftSize *= 2;
  return {
    options: resolved,
    frameLength,
    frameShift,
    window: windowFunction(resolved.window, frameLength),
    mel: melBank(resolved.bins, fftSize, resolved.sampleRate, resolved.lowFreq, resolved.highFreq, resolved.vtlnWarp),
    fft: realFftPlan(fftSize),
    frame: new Float64Array(fftSize),
    power: new Float64Array(fftSize / 2 + 1),
    energies: new Float64Array(resolved.bins),
  };
}

/**
 * Log mel filterbank features of `samples` (normalised to [-1, 1), as
 * decodeWav gives them, at plan.options.sampleRate), with the semantics of
 * Kaldi's compute-fbank-feats and torchaudio.compliance.kaldi.fbank. Samples
 * are scaled by 32768 to the int16 scale Kaldi reads, so the numbers match
 * Kaldi's. Per frame: dither, DC offset removal, pre-emphasis
 * (x[i] −= p·x[i−1], and x[0] −= p·x[0]), window, zero padding to the FFT
 * size, power spectrum, mel energies, floor at float32 ε, natural log.
 *
 * Dither noise comes from plan.options.seed afresh on every call, so the
 * same input always gives the same features.
 *
 * @example fbank(fbankPlan(), audio.samples) // { frames: 98, bins: 40, data }
 */
export function fbank(plan: FbankPlan, samples: Float32Array): FeatureMatrix {
  const { options, frameLength, frameShift } = plan;
  const frames = wholeFrames(samples.length, frameLength, frameShift);
  const data = new Float32Array(frames * options.bins);
  fbankFrames(plan, samples, 0, frames, options.dither > 0 ? gaussianSource(options.seed) : null, data, 0);
  return { frames, bins: options.bins, data };
}

/**
 * `frames` rows of filterbank features, the first from samples[start …],
 * each frameShift on, written to out[outOffset …] ([frames, bins]): the
 * frame loop of {@link fbank}, for a caller that holds the signal in pieces
 * (a stream keeps the samples of the frames still to come). `dither` draws
 * the dither noise in frame order (null: none), so a caller that carries one
 * source across calls gets fbank's noise.
 *
 * @example fbankFrames(plan, buffer, 0, 3, null, out, 0)
 */
export function fbankFrames(plan: FbankPlan, samples: Float32Array, start: number, frames: number, dither: (() => number) | null, out: Float32Array, outOffset: number): void {
  const { options, frameLength, frameShift, window, mel, fft, frame, power, energies } = plan;
  const { bins, preemphasis, removeDcOffset } = options;
  if (frames > 0 && start + (frames - 1) * frameShift + frameLength > samples.length) {
    throw new RangeError(`${frames} frames from sample ${start} need ${start + (frames - 1) * frameShift + frameLength} samples, got ${samples.length}`);
  }
  const amount = options.dither;
  const p = preemphasis;
  for (let t = 0; t < frames; t++) {
    const first = start + t * frameShift;
    let sum = 0;
    for (let i = 0; i < frameLength; i++) {
      const x = samples[first + i] * INT16_SCALE + (dither === null ? 0 : amount * dither());
      frame[i] = x;
      sum += x;
    }
    const mean = removeDcOffset ? sum / frameLength : 0;
    // DC removal, pre-emphasis and window in one backward pass:
    // ((x[i] − m) − p·(x[i−1] − m))·w[i], and (1 − p)·(x[0] − m)·w[0].
    for (let i = frameLength - 1; i > 0; i--) frame[i] = (frame[i] - p * frame[i - 1] - (1 - p) * mean) * window[i];
    frame[0] = (1 - p) * (frame[0] - mean) * window[0];
    frame.fill(0, frameLength);
    realFft(fft, frame);
    powerSpectrum(frame, fft.size, power);
    applyMelBank(mel, power, energies, 0);
    const row = outOffset + t * bins;
    for (let b = 0; b < bins; b++) out[row + b] = Math.log(energies[b] > ENERGY_FLOOR ? energies[b] : ENERGY_FLOOR);
  }
}

/** The dither noise {@link fbank} draws for a plan (null when it has none): a stream carries one across its pieces. */
export function ditherSource(plan: FbankPlan): (() => number) | null {
  return plan.options.dither > 0 ? gaussianSource(plan.options.seed) : null;
}

/**
 * Standard normal numbers from a seeded mulberry32, by Box–Muller with one
 * output per pair of uniforms, as Kaldi's RandGauss.
 */
function gaussianSource(seed: number): () => number {
  const uniform = mulberry32(seed);
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}
