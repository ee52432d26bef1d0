import { map, type OperatorFunction } from 'rxjs';
import { NO_TARGET, type LabelledUtterance } from './utterance.js';

/**
 * The paper's output delay: the network sees `delay` frames of future
 * context before it must name a frame's state. Targets shift right by
 * `delay` (the first `delay` frames add no loss) and the last feature frame is
 * repeated `delay` times so that every original label is still predicted.
 */
export function delayUtterance(utterance: LabelledUtterance, delay: number): LabelledUtterance {
  const { frames, dim, features, targets } = utterance;
  if (delay === 0 || frames === 0) return utterance;
  const delayedFeatures = new Float32Array((frames + delay) * dim);
  delayedFeatures.set(features);
  const last = features.subarray((frames - 1) * dim, frames * dim);
  for (let t = frames; t < frames + delay; t++) delayedFeatures.set(last, t * dim);
  const delayedTargets = new Int32Array(frames + delay).fill(NO_TARGET);
  delayedTargets.set(targets, delay);
  return { ...utterance, frames: frames + delay, features: delayedFeatures, targets: delayedTargets };
}

/**
 * Delays every utterance's targets by `delay` frames (5 in the paper).
 *
 * @example
 * utterances$.pipe(delayTargets(5), chunk({ streams: 4, steps: 20 }))
 */
export function delayTargets(delay: number): OperatorFunction<LabelledUtterance, LabelledUtterance> {
  if (!Number.isInteger(delay) || delay < 0) throw new RangeError(`delay must be a whole number ≥ 0, got ${delay}`);
  return map((utterance) => delayUtterance(utterance, delay));
}
