/** Hertz to mel, Kaldi's (and HTK's) natural-log form: 1127·ln(1 + f/700). */
export function melScale(hz: number): number {
  return 1127 * Math.log(1 + hz / 700);
}

/** Mel to hertz, the inverse of {@link melScale}. */
export function inverseMelScale(mel: number): number {
  return 700 * (Math.exp(mel / 1127) - 1);
}

/**
 * Triangular mel filters over the FFT bins [0, fftSize/2) (the Nyquist bin
 * is never used, as in Kaldi), stored sparsely: bin b weighs FFT bins
 * first[b] .. first[b] + (offsets[b+1] − offsets[b]) − 1 by
 * weights[offsets[b] ..].
 */
export interface MelBank {
  readonly bins: number;
  readonly first: Int32Array;
  readonly offsets: Int32Array;
  readonly weights: Float64Array;
}

/** Kaldi's default VTLN cut-offs: the warp is linear from low to high, then bends to keep the band's ends fixed. */
const VTLN_LOW = 100;
const VTLN_HIGH_FROM_NYQUIST = -500;

/**
 * Kaldi's piecewise-linear VTLN warp of a frequency (MelBanks::VtlnWarpFreq):
 * frequencies between the cut-offs are divided by `warp`, and the stretches
 * outside them are bent so that `low` and `high` stay where they are.
 * `warp` > 1 shifts spectral features down (a longer vocal tract), < 1 up.
 *
 * @example vtlnWarpFreq(100, 7500, 20, 8000, 1.1, 1000) // 909.09…
 */
export function vtlnWarpFreq(lowCutoff: number, highCutoff: number, low: number, high: number, warp: number, freq: number): number {
  if (freq < low || freq > high) return freq;
  const l = lowCutoff * Math.max(1, warp);
  const h = highCutoff * Math.min(1, warp);
  const scale = 1 / warp;
  if (freq < l) return low + ((scale * l - low) / (l - low)) * (freq - low);
  if (freq < h) return scale * freq;
  return high + ((scale * h - high) / (h - high)) * (freq - high);
}

/**
 * The mel filters exactly as Kaldi's MelBanks builds them: `bins` triangles
 * equally spaced in mel between lowFreq and highFreq (highFreq ≤ 0 means
 * Nyquist + highFreq), each rising from its left edge to its centre and
 * falling to its right edge, the neighbours' centres; FFT bin i at i·rate/fftSize
 * Hz gets a weight when its mel lies strictly inside the triangle.
 *
 * Unlike Kaldi, which refuses, a bin too narrow to contain any FFT bin (many
 * bins at a small FFT size) is allowed and stays empty: its energy is 0.
 *
 * With `warp` ≠ 1 (vocal tract length perturbation, Jaitly & Hinton 2013),
 * each triangle's edges and centre move by Kaldi's VTLN warp
 * ({@link vtlnWarpFreq}, cut-offs 100 Hz and Nyquist − 500 Hz), as
 * compute-fbank-feats --vtln-warp does.
 *
 * @example melBank(40, 512, 16000, 20, 0) // Kaldi's compute-fbank-feats default, 40 bins
 */
export function melBank(bins: number, fftSize: number, sampleRate: number, lowFreq: number, highFreq: number, warp = 1): MelBank {
  const nyquist = sampleRate / 2;
  const high = highFreq > 0 ? highFreq : nyquist + highFreq;
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`mel bins must be a whole number ≥ 1, got ${bins}`);
  if (!(lowFreq >= 0 && lowFreq < nyquist && high > 0 && high <= nyquist && high > lowFreq)) {
    throw new RangeError(`bad mel range: low ${lowFreq} Hz, high ${highFreq} Hz (→ ${high} Hz) at Nyquist ${nyquist} Hz`);
  }
  if (!(warp > 0 && Number.isFinite(warp))) throw new RangeError(`the VTLN warp must be a number > 0, got ${warp}`);
  const warped = (mel: number): number =>
    warp === 1 ? mel : melScale(vtlnWarpFreq(VTLN_LOW, nyquist + VTLN_HIGH_FROM_NYQUIST, lowFreq, high, warp, inverseMelScale(mel)));
  const fftBins = fftSize / 2;
  const binWidth = sampleRate / fftSize;
  const melLow = melScale(lowFreq);
  // bins + 1 intervals: the outer triangles reach one step beyond the centres.
  const delta = (melScale(high) - melLow) / (bins + 1);
  const fftMel = new Float64Array(fftBins);
  for (let i = 0; i < fftBins; i++) fftMel[i] = melScale(binWidth * i);

  const first = new Int32Array(bins);
  const offsets = new Int32Array(bins + 1);
  const weights: number[] = [];
  for (let b = 0; b < bins; b++) {
    const left = warped(melLow + b * delta);
    const centre = warped(melLow + (b + 1) * delta);
    const right = warped(melLow + (b + 2) * delta);
    first[b] = 0;
    let found = false;
    for (let i = 0; i < fftBins; i++) {
      const mel = fftMel[i];
      if (mel <= left || mel >= right) continue;
      if (!found) first[b] = i;
      found = true;
      weights.push(mel <= centre ? (mel - left) / (centre - left) : (right - mel) / (right - centre));
    }
    offsets[b + 1] = weights.length;
  }
  return { bins, first, offsets, weights: Float64Array.from(weights) };
}

/**
 * Mel energies: out[outOffset + b] = Σ weights · power over bin b's FFT bins.
 *
 * @example applyMelBank(bank, power, energies, 0)
 */
export function applyMelBank(bank: MelBank, power: Float64Array, out: Float64Array, outOffset: number): void {
  const { bins, first, offsets, weights } = bank;
  for (let b = 0; b < bins; b++) {
    let sum = 0;
    for (let w = offsets[b], i = first[b]; w < offsets[b + 1]; w++, i++) sum += weights[w] * power[i];
    out[outOffset + b] = sum;
  }
}
