import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { babble } from '../../../src/ops/augment/babble.js';
import { meanPower, mixAtSnr } from '../../../src/ops/dsp/noise.js';

describe('babble', () => {
  it('sums talkers at unit power times their gain, from their offsets, wrapping around', () => {
    const a = Float32Array.of(1, -1, 1, -1);
    const b = Float32Array.of(2, 2, -2, -2);
    const out = babble(6, [
      { source: a, offset: 1, gain: 1 },
      { source: b, offset: 2, gain: 0.5 },
    ]);
    // a has unit power; b has power 4: scaled by 0.5 / 2.
    expect(Array.from(out)).toEqual([-1 - 0.5, 1 - 0.5, -1 + 0.5, 1 + 0.5, -1 - 0.5, 1 - 0.5]);
  });

  it('passes over silent sources, and with none is silence', () => {
    expect(Array.from(babble(3, [{ source: new Float32Array(4), offset: 0, gain: 1 }]))).toEqual([0, 0, 0]);
    expect(Array.from(babble(2, []))).toEqual([0, 0]);
  });

  it('of one talker has the talker gain’s power', () => {
    const source = Float32Array.from({ length: 999 }, (_, i) => Math.sin(i * 0.3) * (1 + (i % 7)));
    expect(meanPower(babble(999, [{ source, offset: 123, gain: 0.7 }]))).toBeCloseTo(0.49, 6);
  });

  it('is, sample by sample, the sum of its talkers (brute force), and mixes in at the SNR asked within 0.5 dB', () => {
    const talker = fc.record({
      source: fc.float32Array({ minLength: 1, maxLength: 300, noNaN: true, noDefaultInfinity: true, min: -1, max: 1 }),
      offset: fc.integer({ min: -1000, max: 1000 }),
      gain: fc.double({ min: 0.1, max: 2, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.integer({ min: 50, max: 2000 }), fc.array(talker, { minLength: 1, maxLength: 6 }), fc.double({ min: -5, max: 30, noNaN: true }), (length, talkers, snr) => {
        const out = babble(length, talkers);
        const expected = new Float64Array(length);
        for (const { source, offset, gain } of talkers) {
          const power = source.reduce((sum, x) => sum + x * x, 0) / source.length;
          if (!(power > 0)) continue;
          for (let i = 0; i < length; i++) expected[i] += (gain / Math.sqrt(power)) * source[(((offset + i) % source.length) + source.length) % source.length];
        }
        for (let i = 0; i < length; i++) expect(out[i]).toBeCloseTo(expected[i], 4);
        if (!(meanPower(out) > 1e-6)) return;
        const speech = Float32Array.from({ length }, (_, i) => 0.3 * Math.sin(i * 0.05));
        const mixed = mixAtSnr(speech, out, snr, meanPower(speech));
        const added = Float32Array.from(mixed, (v, i) => v - speech[i]);
        expect(Math.abs(10 * Math.log10(meanPower(speech) / meanPower(added)) - snr)).toBeLessThan(0.5);
      }),
    );
  });
});
