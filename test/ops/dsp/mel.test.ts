import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { applyMelBank, inverseMelScale, melBank, melScale, vtlnWarpFreq, type MelBank } from '../../../src/ops/dsp/mel.js';

/**
 * torchaudio's get_mel_banks, a different formulation of the same filters:
 * dense, max(0, min(up slope, down slope)) for every bin and FFT bin.
 */
function denseReference(bins: number, fftSize: number, rate: number, low: number, high: number, warp = 1): Float64Array[] {
  const top = high > 0 ? high : rate / 2 + high;
  const melLow = melScale(low);
  const delta = (melScale(top) - melLow) / (bins + 1);
  // torchaudio's vtln_warp_mel_freq, written out: Kaldi's cut-offs 100 Hz and Nyquist − 500 Hz.
  const warpMel = (mel: number): number => {
    if (warp === 1) return mel;
    const f = inverseMelScale(mel);
    if (f < low || f > top) return mel;
    const l = 100 * Math.max(1, warp);
    const h = (rate / 2 - 500) * Math.min(1, warp);
    const warped = f < l ? low + ((l / warp - low) / (l - low)) * (f - low) : f < h ? f / warp : top + ((h / warp - top) / (h - top)) * (f - top);
    return melScale(warped);
  };
  return Array.from({ length: bins }, (_, b) => {
    const left = warpMel(melLow + b * delta);
    const centre = warpMel(melLow + (b + 1) * delta);
    const right = warpMel(melLow + (b + 2) * delta);
    return Float64Array.from({ length: fftSize / 2 }, (_, i) => {
      const mel = melScale((i * rate) / fftSize);
      return Math.max(0, Math.min((mel - left) / (centre - left), (right - mel) / (right - centre)));
    });
  });
}

function dense(bank: MelBank, fftSize: number): Float64Array[] {
  return Array.from({ length: bank.bins }, (_, b) => {
    const row = new Float64Array(fftSize / 2);
    for (let w = bank.offsets[b]; w < bank.offsets[b + 1]; w++) row[bank.first[b] + w - bank.offsets[b]] = bank.weights[w];
    return row;
  });
}

function maxDifference(a: Float64Array[], b: Float64Array[]): number {
  let max = 0;
  a.forEach((row, r) => row.forEach((x, i) => (max = Math.max(max, Math.abs(x - b[r][i])))));
  return max;
}

describe('mel scale', () => {
  test('1127·ln(1 + f/700)', () => {
    expect(melScale(0)).toBe(0);
    expect(melScale(700)).toBeCloseTo(1127 * Math.LN2, 12);
    expect(melScale(1000)).toBeCloseTo(1000, -1); // the scale's anchor: ≈1000 mel at 1 kHz
  });

  test('inverseMelScale undoes melScale and both increase', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 100_000, noNaN: true }), fc.double({ min: 0, max: 100_000, noNaN: true }), (f, g) => {
        expect(inverseMelScale(melScale(f))).toBeCloseTo(f, 6);
        if (f < g) expect(melScale(f)).toBeLessThanOrEqual(melScale(g));
      }),
    );
  });
});

describe('melBank', () => {
  test("Kaldi's default 40 bins over a 512-point FFT match torchaudio's formulation", () => {
    const bank = melBank(40, 512, 16000, 20, 0);
    const reference = denseReference(40, 512, 16000, 20, 0);
    expect(maxDifference(dense(bank, 512), reference)).toBeLessThan(1e-12);
    // The first bin starts above 20 Hz (bin 1 is 31.25 Hz); the last ends below Nyquist.
    expect(bank.first[0]).toBe(1);
    expect(bank.first[39] + bank.offsets[40] - bank.offsets[39]).toBeLessThanOrEqual(256);
  });

  test('any bins, FFT size, rate and range match the reference; weights in (0, 1]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 128 }),
        fc.integer({ min: 6, max: 11 }),
        fc.constantFrom(8000, 16000, 22050, 44100),
        fc.double({ min: 0, max: 0.4, noNaN: true }),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        fc.boolean(),
        (bins, log2, rate, lowFraction, highFraction, asOffset) => {
          const fftSize = 2 ** log2;
          const nyquist = rate / 2;
          const low = lowFraction * nyquist;
          // high ≤ 0 is an offset below Nyquist, high > 0 a frequency above low.
          const high = asOffset ? -0.9 * highFraction * (nyquist - low) : low + highFraction * (nyquist - low);
          const bank = melBank(bins, fftSize, rate, low, high);
          const reference = denseReference(bins, fftSize, rate, low, high);
          expect(maxDifference(dense(bank, fftSize), reference)).toBeLessThan(1e-10);
          expect(bank.weights.every((w) => w > 0 && w <= 1)).toBe(true);
        },
      ),
    );
  });

  test('warped (VTLN / VTLP) filters match the reference for any warp in [0.8, 1.2]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 80 }), fc.constantFrom(8000, 16000), fc.double({ min: 0.8, max: 1.2, noNaN: true }), (bins, rate, warp) => {
        const bank = melBank(bins, 512, rate, 20, 0, warp);
        expect(maxDifference(dense(bank, 512), denseReference(bins, 512, rate, 20, 0, warp))).toBeLessThan(1e-10);
      }),
      { numRuns: 40 },
    );
    expect(melBank(40, 512, 16000, 20, 0, 1)).toEqual(melBank(40, 512, 16000, 20, 0));
    expect(melBank(40, 512, 16000, 20, 0, 1.1)).not.toEqual(melBank(40, 512, 16000, 20, 0));
    expect(() => melBank(40, 512, 16000, 20, 0, 0)).toThrow(/warp/);
  });

  test('a negative highFreq is an offset below Nyquist', () => {
    const bank = melBank(23, 512, 16000, 20, -400);
    const lastBin = bank.first[22] + bank.offsets[23] - bank.offsets[22] - 1;
    expect((lastBin * 16000) / 512).toBeLessThan(7600);
    expect(dense(bank, 512)).toEqual(dense(melBank(23, 512, 16000, 20, 7600), 512));
  });

  test('bins too narrow for any FFT bin are empty, not an error', () => {
    const bank = melBank(200, 256, 16000, 20, 0);
    expect(bank.offsets[1] - bank.offsets[0]).toBe(0);
    const energies = new Float64Array(200);
    applyMelBank(bank, new Float64Array(129).fill(1), energies, 0);
    expect(energies[0]).toBe(0);
    expect(energies[199]).toBeGreaterThan(0);
  });

  test('refuses impossible ranges', () => {
    expect(() => melBank(40, 512, 16000, 8000, 0)).toThrow(RangeError);
    expect(() => melBank(40, 512, 16000, 20, 9000)).toThrow(RangeError);
    expect(() => melBank(40, 512, 16000, 4000, 3000)).toThrow(RangeError);
    expect(() => melBank(40, 512, 16000, -1, 0)).toThrow(RangeError);
    expect(() => melBank(40, 512, 16000, 20, -8000)).toThrow(RangeError);
    expect(() => melBank(0, 512, 16000, 20, 0)).toThrow(RangeError);
  });
});

describe('applyMelBank', () => {
  test('equals the dense matrix-vector product', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 257, maxLength: 257 }), fc.nat({ max: 5 }), (bins, values, offset) => {
        const bank = melBank(bins, 512, 16000, 20, 0);
        const power = Float64Array.from(values);
        const out = new Float64Array(offset + bins).fill(-1);
        applyMelBank(bank, power, out, offset);
        for (let k = 0; k < offset; k++) expect(out[k]).toBe(-1);
        dense(bank, 512).forEach((row, b) => {
          const expected = row.reduce((sum, w, i) => sum + w * power[i], 0);
          expect(out[offset + b]).toBeCloseTo(expected, 4);
        });
      }),
      { numRuns: 40 },
    );
  });
});

describe('vtlnWarpFreq', () => {
  test("is the identity at warp 1, keeps the band's ends, is continuous and increasing", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.8, max: 1.2, noNaN: true }), fc.double({ min: 20, max: 8000, noNaN: true }), (warp, f) => {
        expect(vtlnWarpFreq(100, 7500, 20, 8000, 1, f)).toBeCloseTo(f, 9);
        expect(vtlnWarpFreq(100, 7500, 20, 8000, warp, 20)).toBeCloseTo(20, 9);
        expect(vtlnWarpFreq(100, 7500, 20, 8000, warp, 8000)).toBeCloseTo(8000, 9);
        const step = 1e-3;
        const a = vtlnWarpFreq(100, 7500, 20, 8000, warp, f);
        const b = vtlnWarpFreq(100, 7500, 20, 8000, warp, Math.min(8000, f + step));
        expect(b).toBeGreaterThanOrEqual(a);
        expect(b - a).toBeLessThan(0.02);
      }),
    );
  });

  test('divides mid-band frequencies by the warp', () => {
    expect(vtlnWarpFreq(100, 7500, 20, 8000, 1.1, 1000)).toBeCloseTo(1000 / 1.1, 9);
    expect(vtlnWarpFreq(100, 7500, 20, 8000, 0.9, 3000)).toBeCloseTo(3000 / 0.9, 9);
  });
});
