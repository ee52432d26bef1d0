import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dbToAmplitude, meanPower, mixAtSnr, noise, peakAmplitude, pinkNoise, scaled, whiteNoise } from '../../../src/ops/dsp/noise.js';
import { mulberry32 } from '../../../src/ops/random.js';

const tone = (n: number, amplitude: number) => Float32Array.from({ length: n }, (_, i) => amplitude * Math.sin(i / 7));

/** Power in a band of frequencies [low, high) Hz by a plain DFT (the reference). */
function bandPower(x: Float32Array, rate: number, low: number, high: number): number {
  let sum = 0;
  for (let k = Math.ceil((low * x.length) / rate); k < (high * x.length) / rate; k++) {
    let re = 0;
    let im = 0;
    for (let i = 0; i < x.length; i++) {
      re += x[i] * Math.cos((2 * Math.PI * k * i) / x.length);
      im -= x[i] * Math.sin((2 * Math.PI * k * i) / x.length);
    }
    sum += re * re + im * im;
  }
  return sum;
}

describe('levels', () => {
  it('measures power, peak and decibels', () => {
    expect(meanPower(Float32Array.of(1, -1, 3, 0), 1, 3)).toBe(5);
    expect(meanPower(new Float32Array(0))).toBe(0);
    expect(peakAmplitude(Float32Array.of(0.1, -0.7, 0.5))).toBeCloseTo(0.7, 6);
    expect(dbToAmplitude(-20)).toBeCloseTo(0.1, 12);
    expect(scaled(Float32Array.of(1, -2), 0.5)).toEqual(Float32Array.of(0.5, -1));
  });
});

describe('noise', () => {
  it('is seeded: the same generator state gives the same noise', () => {
    for (const colour of ['white', 'pink'] as const) {
      expect(noise(colour, 1001, mulberry32(5))).toEqual(noise(colour, 1001, mulberry32(5)));
      expect(noise(colour, 1001, mulberry32(5))).not.toEqual(noise(colour, 1001, mulberry32(6)));
    }
  });

  it('white noise is zero-mean, unit-variance Gaussian', () => {
    const x = whiteNoise(100001, mulberry32(1));
    const mean = x.reduce((s, v) => s + v, 0) / x.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(meanPower(x)).toBeCloseTo(1, 1);
    // about 68% within one standard deviation
    expect(x.filter((v) => Math.abs(v) < 1).length / x.length).toBeCloseTo(0.683, 2);
  });

  it('pink noise has unit power and loses about 3 dB per octave', () => {
    const x = pinkNoise(4096, mulberry32(2));
    expect(meanPower(x)).toBeCloseTo(1, 5);
    // octaves 500–1000, 1000–2000, 2000–4000 Hz at 16 kHz: each holds about as much power as the next
    const octaves = [500, 1000, 2000].map((f) => bandPower(x, 16000, f, 2 * f));
    const white = whiteNoise(4096, mulberry32(2));
    const whiteOctaves = [500, 1000, 2000].map((f) => bandPower(white, 16000, f, 2 * f));
    for (let o = 0; o + 1 < 3; o++) {
      expect(10 * Math.log10(octaves[o] / octaves[o + 1])).toBeGreaterThan(-1.5);
      expect(10 * Math.log10(octaves[o] / octaves[o + 1])).toBeLessThan(1.5);
      // white noise instead doubles its power each octave
      expect(10 * Math.log10(whiteOctaves[o + 1] / whiteOctaves[o])).toBeCloseTo(3, 0);
    }
  });
});

describe('mixAtSnr', () => {
  it('adds noise at the requested SNR, measured back within 0.5 dB', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 4000 }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        fc.double({ min: -10, max: 50, noNaN: true }),
        fc.constantFrom('white' as const, 'pink' as const),
        fc.nat(),
        (n, amplitude, snr, colour, seed) => {
          const signal = tone(n, amplitude);
          const mixed = mixAtSnr(signal, noise(colour, n + 10, mulberry32(seed)), snr, meanPower(signal));
          const added = Float32Array.from(mixed, (v, i) => v - signal[i]);
          expect(Math.abs(10 * Math.log10(meanPower(signal) / meanPower(added)) - snr)).toBeLessThan(0.5);
        },
      ),
    );
  });

  it('measures the speech against the power it is given (padding excluded by the caller)', () => {
    const padded = new Float32Array(3000);
    padded.set(tone(1000, 0.5), 1000);
    const speechPower = meanPower(padded, 1000, 2000);
    const mixed = mixAtSnr(padded, whiteNoise(3000, mulberry32(3)), 20, speechPower);
    const noiseOnly = Float32Array.from(mixed, (v, i) => v - padded[i]);
    expect(10 * Math.log10(speechPower / meanPower(noiseOnly))).toBeCloseTo(20, 1);
  });

  it('refuses noise shorter than the signal', () => {
    expect(() => mixAtSnr(new Float32Array(10), new Float32Array(9), 10, 1)).toThrow(RangeError);
  });
});
