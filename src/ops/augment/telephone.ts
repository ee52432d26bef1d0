import { resample } from '../dsp/resample.js';

/** The telephone band (ITU-T G.712's passband, roughly), hertz. */
export const TELEPHONE_BAND: readonly [number, number] = [300, 3400];

/** μ-law's μ (G.711). */
const MU = 255;

/**
 * A sample through 8-bit μ-law and back, as G.711 codes it: a sign bit and
 * 7 bits of compressed magnitude (so 0 and ±full scale are exact and the
 * code is odd), in the continuous form of the compander.
 */
export function muLawRoundTrip(x: number): number {
  const magnitude = Math.min(1, Math.abs(x));
  const code = Math.round((127 * Math.log1p(MU * magnitude)) / Math.log1p(MU));
  return (Math.sign(x) * Math.expm1((code / 127) * Math.log1p(MU))) / MU;
}

/** A second-order section (RBJ's cookbook), run in place over `x` from rest. */
function biquad(x: Float32Array, b0: number, b1: number, b2: number, a1: number, a2: number): void {
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const x0 = x[i];
    const y0 = b0 * x0 + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
    x2 = x1;
    x1 = x0;
    y2 = y1;
    y1 = y0;
    x[i] = y0;
  }
}

/** Butterworth high-pass (`high` true) or low-pass sections at `cutoff` Hz, `order` 2 or 4, in place. */
function butterworth(x: Float32Array, rate: number, cutoff: number, high: boolean, order: 2 | 4): void {
  // A 4th-order Butterworth is two biquads with Q = 1/(2 cos(π/8)) and 1/(2 cos(3π/8)).
  const qs = order === 2 ? [Math.SQRT1_2] : [1 / (2 * Math.cos(Math.PI / 8)), 1 / (2 * Math.cos((3 * Math.PI) / 8))];
  const w = (2 * Math.PI * cutoff) / rate;
  for (const q of qs) {
    const alpha = Math.sin(w) / (2 * q);
    const cos = Math.cos(w);
    const a0 = 1 + alpha;
    const b0 = high ? (1 + cos) / 2 : (1 - cos) / 2;
    const b1 = high ? -(1 + cos) : 1 - cos;
    biquad(x, b0 / a0, b1 / a0, b0 / a0, (-2 * cos) / a0, (1 - alpha) / a0);
  }
}

/**
 * A telephone channel: the audio down to 8 kHz (the resampler's anti-alias
 * filter cuts at 3.96 kHz), band-limited to 300–3400 Hz by 4th-order
 * Butterworth high- and low-pass filters, optionally through 8-bit μ-law,
 * and back up to `rate`. The length is kept (to within the resampler's
 * rounding, then padded or cut), so frame labels still fit.
 *
 * @example telephoneChannel(samples, 16000, true)
 */
export function telephoneChannel(samples: Float32Array, rate: number, muLaw: boolean): Float32Array {
  const narrow = resample(samples, rate, 8000);
  butterworth(narrow, 8000, TELEPHONE_BAND[0], true, 4);
  butterworth(narrow, 8000, TELEPHONE_BAND[1], false, 4);
  if (muLaw) for (let i = 0; i < narrow.length; i++) narrow[i] = muLawRoundTrip(narrow[i]);
  const wide = resample(narrow, 8000, rate);
  if (wide.length === samples.length) return wide;
  const out = new Float32Array(samples.length);
  out.set(wide.subarray(0, Math.min(wide.length, out.length)));
  return out;
}
