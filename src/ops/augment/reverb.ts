import { inverseRealFft, realFft, realFftPlan } from '../dsp/fft.js';
import { whiteNoise } from '../dsp/noise.js';

/**
 * A synthetic room impulse response: a direct path at time 0, then
 * exponentially decaying Gaussian noise (the late reverberation of a
 * diffuse field) whose energy falls 60 dB in `rt60` seconds, `rt60` long,
 * after an initial gap of `gapMs` (the first reflection). The reverberant
 * tail carries `tailRatio` times the direct path's energy (a larger room or a
 * farther talker: more).
 *
 * @example roomImpulse(16000, 0.5, mulberry32(7))
 */
export function roomImpulse(rate: number, rt60: number, random: () => number, tailRatio = 1, gapMs = 5): Float32Array {
  if (!(rt60 > 0)) throw new RangeError(`RT60 must be > 0 s, got ${rt60}`);
  const length = Math.max(1, Math.ceil(rt60 * rate));
  const gap = Math.min(length - 1, Math.round((gapMs * rate) / 1000));
  const impulse = whiteNoise(length, random);
  impulse[0] = 0;
  // Amplitude decays as e^(−3·ln10·t/rt60): energy −60 dB at rt60.
  const decay = (3 * Math.LN10) / (rt60 * rate);
  let tail = 0;
  for (let i = 1; i < length; i++) {
    impulse[i] = i < gap ? 0 : impulse[i] * Math.exp(-decay * i);
    tail += impulse[i] * impulse[i];
  }
  const scale = tail > 0 ? Math.sqrt(tailRatio / tail) : 0;
  for (let i = 1; i < length; i++) impulse[i] *= scale;
  impulse[0] = 1;
  return impulse;
}

/**
 * The first `signal.length` samples of signal ∗ impulse, by FFT (one
 * transform of each, a product, one inverse): the reverberant tail past the
 * end is cut, so frame labels still fit.
 *
 * @example convolve(speech, roomImpulse(16000, 0.4, random))
 */
export function convolve(signal: Float32Array, impulse: Float32Array): Float32Array {
  const n = signal.length;
  if (n === 0 || impulse.length === 0) return new Float32Array(n);
  let size = 2;
  while (size < n + impulse.length - 1) size *= 2;
  const plan = realFftPlan(size);
  const a = new Float64Array(size);
  const b = new Float64Array(size);
  for (let i = 0; i < n; i++) a[i] = signal[i];
  for (let i = 0; i < impulse.length; i++) b[i] = impulse[i];
  realFft(plan, a);
  realFft(plan, b);
  // Packed spectra: a[0], a[1] are the real X[0] and X[N/2]; then (re, im) pairs.
  a[0] *= b[0];
  a[1] *= b[1];
  for (let k = 2; k < size; k += 2) {
    const re = a[k] * b[k] - a[k + 1] * b[k + 1];
    const im = a[k] * b[k + 1] + a[k + 1] * b[k];
    a[k] = re;
    a[k + 1] = im;
  }
  inverseRealFft(plan, a);
  return Float32Array.from(a.subarray(0, n));
}
