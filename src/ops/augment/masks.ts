/** Stretches of a feature matrix masked out: frames [start, start + width) or bins [start, start + width). */
export interface FeatureMasks {
  readonly time: readonly (readonly [number, number])[];
  readonly frequency: readonly (readonly [number, number])[];
}

/**
 * SpecAugment's time and frequency masks (Park et al., Interspeech 2019), in
 * place on features [frames, bins] row-major: every masked value becomes
 * `value` (0, the mean, once features are normalised). Masks past the edges
 * are cut to them.
 *
 * @example applyMasks(features.data, features.frames, features.bins, { time: [[40, 12]], frequency: [[5, 7]] })
 */
export function applyMasks(data: Float32Array, frames: number, bins: number, masks: FeatureMasks, value = 0): void {
  if (data.length < frames * bins) throw new RangeError(`${frames} × ${bins} features do not fit in ${data.length}`);
  for (const [start, width] of masks.time) {
    const from = Math.max(0, start);
    const to = Math.min(frames, start + width);
    if (to > from) data.fill(value, from * bins, to * bins);
  }
  for (const [start, width] of masks.frequency) {
    const from = Math.max(0, start);
    const to = Math.min(bins, start + width);
    if (to <= from) continue;
    for (let t = 0; t < frames; t++) data.fill(value, t * bins + from, t * bins + to);
  }
}
