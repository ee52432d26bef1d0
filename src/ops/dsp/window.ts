/** The analysis windows Kaldi's feature extraction offers (FrameExtractionOptions::window_type). */
export type WindowType = 'povey' | 'hamming' | 'hanning' | 'rectangular';

export const windowTypes: readonly WindowType[] = ['povey', 'hamming', 'hanning', 'rectangular'];

/**
 * The `length`-point window Kaldi's FeatureWindowFunction computes, with
 * a = 2π/(length − 1) so both ends are included: hanning 0.5 − 0.5·cos(a·i),
 * hamming 0.54 − 0.46·cos(a·i), povey (Kaldi's default) hanning^0.85, a
 * hanning that tapers less steeply, rectangular 1.
 *
 * @example windowFunction('povey', 400) // 25 ms at 16 kHz
 */
export function windowFunction(type: WindowType, length: number): Float64Array {
  if (!Number.isInteger(length) || length < 2) throw new RangeError(`window length must be a whole number ≥ 2, got ${length}`);
  const a = (2 * Math.PI) / (length - 1);
  const window = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const hann = 0.5 - 0.5 * Math.cos(a * i);
    if (type === 'povey') window[i] = Math.pow(hann, 0.85);
    else if (type === 'hanning') window[i] = hann;
    else if (type === 'hamming') window[i] = 0.54 - 0.46 * Math.cos(a * i);
    else if (type === 'rectangular') window[i] = 1;
    else throw new RangeError(`unknown window type '${String(type)}'`);
  }
  return window;
}
