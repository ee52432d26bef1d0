/**
 * Seeded noise and level arithmetic for corrupting clean audio: white and
 * pink noise, mixing at a signal-to-noise ratio, gain. Samples are floats
 * nominally in [-1, 1); randomness comes from a generator such as mulberry32.
 */

/** The kinds of additive noise. */
export type NoiseColour = 'white' | 'pink';

/** Mean square of samples [start, end), 0 for an empty range. */
export function meanPower(samples: Float32Array, start = 0, end = samples.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += samples[i] * samples[i];
  return end > start ? sum / (end - start) : 0;
}

/** The largest absolute sample value. */
export function peakAmplitude(samples: Float32Array): number {
  let peak = 0;
  for (let i = 0; i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i]));
  return peak;
}

/** An amplitude ratio from decibels: dbToAmplitude(-6) ≈ 0.5. */
export function dbToAmplitude(db: number): number {
  return 10 ** (db / 20);
}

/**
 * Gaussian white noise of unit variance (Box–Muller on `random`'s uniforms).
 *
 * @example whiteNoise(16000, mulberry32(1))
 */
export function whiteNoise(length: number, random: () => number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - random()));
    const angle = 2 * Math.PI * random();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < length) out[i + 1] = radius * Math.sin(angle);
  }
  return out;
}

/**
 * Pink noise (power falling 3 dB per octave) of unit mean power: white noise
 * through Paul Kellet's three-pole filter, accurate to about ±0.5 dB above
 * 10 Hz at 16 kHz.
 */
export function pinkNoise(length: number, random: () => number): Float32Array {
  const white = whiteNoise(length, random);
  const out = new Float32Array(length);
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  for (let i = 0; i < length; i++) {
    const w = white[i];
    b0 = 0.99765 * b0 + w * 0.099046;
    b1 = 0.963 * b1 + w * 0.2965164;
    b2 = 0.57 * b2 + w * 1.0526913;
    out[i] = b0 + b1 + b2 + w * 0.1848;
  }
  const power = meanPower(out);
  return power > 0 ? scaled(out, 1 / Math.sqrt(power)) : out;
}

/** Noise of the given colour, unit power, `length` samples. */
export function noise(colour: NoiseColour, length: number, random: () => number): Float32Array {
  return colour === 'white' ? whiteNoise(length, random) : pinkNoise(length, random);
}

/** A copy of `samples` times `gain`. */
export function scaled(samples: Float32Array, gain: number): Float32Array {
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = samples[i] * gain;
  return out;
}

/**
 * `signal` plus `noise` scaled so that signalPower / noise power is `snrDb`
 * decibels. The signal's power is measured by the caller (over the speech
 * only, say, not its silent padding); noise at least as long as the signal.
 *
 * @example mixAtSnr(speech, whiteNoise(speech.length, random), 20, meanPower(speech))
 */
export function mixAtSnr(signal: Float32Array, noise: Float32Array, snrDb: number, signalPower: number): Float32Array {
  if (noise.length < signal.length) throw new RangeError(`${noise.length} noise samples for ${signal.length} signal samples`);
  const noisePower = meanPower(noise, 0, signal.length);
  const gain = noisePower > 0 ? Math.sqrt(signalPower / (noisePower * 10 ** (snrDb / 10))) : 0;
  const out = new Float32Array(signal.length);
  for (let i = 0; i < signal.length; i++) out[i] = signal[i] + gain * noise[i];
  return out;
}
