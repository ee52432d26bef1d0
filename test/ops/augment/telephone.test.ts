import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { muLawRoundTrip, telephoneChannel } from '../../../src/ops/augment/telephone.js';
import { meanPower } from '../../../src/ops/dsp/noise.js';

const tone = (hz: number, n = 16000, rate = 16000) => Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / rate));
/** Power over the middle, away from the filters' start-up. */
const middle = (x: Float32Array) => meanPower(x, 2000, x.length - 2000);

describe('muLawRoundTrip', () => {
  it('is odd, monotone, keeps ±1 and 0, and errs no more than an 8-bit μ-law step', () => {
    expect(muLawRoundTrip(0)).toBe(0);
    expect(muLawRoundTrip(1)).toBeCloseTo(1, 12);
    fc.assert(
      fc.property(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), (a, b) => {
        expect(muLawRoundTrip(-a)).toBeCloseTo(-muLawRoundTrip(a), 12);
        if (a <= b) expect(muLawRoundTrip(a)).toBeLessThanOrEqual(muLawRoundTrip(b));
        // The quantiser's step in the expanded domain grows with the level: within 4 % of it plus a floor.
        expect(Math.abs(muLawRoundTrip(a) - a)).toBeLessThanOrEqual(0.04 * Math.abs(a) + 2e-4);
      }),
    );
  });

  it('clips beyond full scale', () => {
    expect(muLawRoundTrip(3)).toBeCloseTo(1, 12);
    expect(muLawRoundTrip(-3)).toBeCloseTo(-1, 12);
  });
});

describe('telephoneChannel', () => {
  it('keeps the length, passes the band, and stops what lies outside it', () => {
    for (const muLaw of [false, true]) {
      const inBand = middle(telephoneChannel(tone(1000), 16000, muLaw)) / middle(tone(1000));
      const low = middle(telephoneChannel(tone(100), 16000, muLaw)) / middle(tone(100));
      const high = middle(telephoneChannel(tone(5000), 16000, muLaw)) / middle(tone(5000));
      expect(telephoneChannel(tone(1000, 12345), 16000, muLaw).length).toBe(12345);
      expect(inBand).toBeGreaterThan(0.85);
      expect(low).toBeLessThan(0.02);
      expect(high).toBeLessThan(0.001);
    }
  });
});
