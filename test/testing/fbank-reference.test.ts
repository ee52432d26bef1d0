import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { decodeWav } from '../../src/ops/codecs/wav.js';
import { toneAudio } from '../../src/testing/audio.js';
import { closeTo } from '../../src/testing/close-to.js';
import { referenceFbank } from '../../src/testing/fbank-reference.js';
import { fixturePath, readFixture } from '../support/fixtures.js';

// The Kaldi fbank reference held to Kaldi (torchaudio's reimplementation, test/fixtures) and to what its definition implies.

const LOG_FLOOR = Math.log(1.1920928955078125e-7);
const melOf = (hz: number) => 1127 * Math.log(1 + hz / 700);
const hzOf = (mel: number) => 700 * (Math.exp(mel / 1127) - 1);

describe('referenceFbank', () => {
  const fixture = readFixture<{ cases: Record<string, { wav: string; frames: number; bins: number; fbank: number[][] }> }>('fbank-kaldi.json');

  it.each(Object.keys(fixture.cases))('is Kaldi’s compute-fbank-feats at lstmp’s defaults: %s within 1e-3 of torchaudio.compliance.kaldi.fbank', (name) => {
    const expected = fixture.cases[name];
    const audio = decodeWav(readFileSync(fixturePath(expected.wav)));
    if (E.isLeft(audio)) throw new Error(audio.left);
    const features = referenceFbank(audio.right.samples);
    expect([features.frames, features.bins]).toEqual([expected.frames, expected.bins]);
    // Measured: 2.2e-4 and 5.7e-4, torchaudio's float32 FFT in bands 1e-9 below the frame's peak (lstmp's fbank is as far).
    closeTo(features.data, expected.fbank.flat(), 1e-3);
  });

  it('makes 1 + ⌊(N − L)/S⌋ frames of N ≥ L samples, none of fewer (snip_edges), at any rate', () => {
    fc.assert(
      fc.property(fc.constantFrom(8000, 11025, 16000), fc.nat({ max: 1500 }), (sampleRate, n) => {
        const [L, S] = [Math.floor(sampleRate * 0.025), Math.floor(sampleRate * 0.01)];
        const features = referenceFbank(new Float32Array(n), { sampleRate, bins: 23 });
        expect([features.frames, features.bins, features.data.length]).toEqual([n < L ? 0 : 1 + Math.floor((n - L) / S), 23, features.frames * 23]);
      }),
      { numRuns: 50 },
    );
  });

  it('gives digital silence the log floor ln ε, and a constant signal too (the DC offset is removed)', () => {
    expect(referenceFbank(new Float32Array(800)).data.every((x) => x === LOG_FLOOR)).toBe(true);
    expect(referenceFbank(new Float32Array(800).fill(0.25)).data.every((x) => x === LOG_FLOOR)).toBe(true);
  });

  it('puts a tone’s energy in the band centred nearest it', () => {
    // Band b's triangle peaks at the mel of lowFreq + (b + 1)·Δ: a tone there is loudest in band b.
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 37 }), (band) => {
        const delta = (melOf(8000) - melOf(20)) / 41;
        const hz = hzOf(melOf(20) + (band + 1) * delta);
        const samples = Float32Array.from({ length: 1200 }, (_, n) => 0.5 * Math.sin((2 * Math.PI * hz * n) / 16000));
        const { frames, bins, data } = referenceFbank(samples);
        for (let t = 0; t < frames; t++) {
          const row = Array.from(data.subarray(t * bins, (t + 1) * bins));
          expect(row.indexOf(Math.max(...row))).toBe(band);
        }
      }),
      { numRuns: 20 },
    );
  });

  it('adds 2·ln a to every band above the floor when the signal is scaled by a power of two a (exactly, every step being linear)', () => {
    fc.assert(
      fc.property(toneAudio({ sampleRate: fc.constant(16000), minSeconds: 0.03, maxSeconds: 0.05, peak: 0.5 }), fc.integer({ min: -4, max: 1 }), (tone, k) => {
        const base = referenceFbank(tone.samples).data;
        const scaled = referenceFbank(tone.samples.map((x) => x * 2 ** k)).data;
        base.forEach((v, i) => {
          if (v > LOG_FLOOR && scaled[i] > LOG_FLOOR) expect(Math.abs(scaled[i] - v - 2 * k * Math.LN2)).toBeLessThan(1e-12);
        });
      }),
      { numRuns: 20 },
    );
  });

  it('refuses dither (Kaldi’s is random) and frames too short to window', () => {
    expect(() => referenceFbank(new Float32Array(400), { dither: 1 })).toThrow(RangeError);
    expect(() => referenceFbank(new Float32Array(400), { frameLengthMs: 0.05 })).toThrow(RangeError);
    expect(() => referenceFbank(new Float32Array(400), { frameShiftMs: 0 })).toThrow(RangeError);
  });
});
