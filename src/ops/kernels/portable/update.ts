import { clip as clipTo } from '../../nn/activations.js';
import { checkSgdStep } from '../checks.js';

/**
 * One SGD step with momentum on a slice of the parameters, for i in
 * [offset, offset + length):
 *
 *     velocity[i] = momentum · velocity[i] − rate · clip(gradient[i])
 *     params[i]  += velocity[i]
 *
 * (momentum 0 is plain SGD; with a null velocity, which needs momentum 0,
 * only params[i] −= rate · clip(gradient[i]) runs, saving two passes over
 * memory). `clip` bounds each gradient element to [−clip, clip] as Kaldi's
 * nnet1 does; Infinity leaves it alone. No locks: several threads may step
 * one shared parameter buffer at once (Hogwild), as the paper's ASGD threads
 * do, each with its own velocity.
 */
export function sgdStep(
  params: Float32Array,
  velocity: Float32Array | null,
  gradient: Float32Array,
  offset: number,
  length: number,
  rate: number,
  momentum: number,
  clip: number,
): void {
  checkSgdStep(params, velocity, gradient, offset, length, momentum);
  const end = offset + length;
  if (!velocity) {
    for (let i = offset; i < end; i++) {
      params[i] -= rate * clipTo(gradient[i], clip);
    }
    return;
  }
  for (let i = offset; i < end; i++) {
    const v = momentum * velocity[i] - rate * clipTo(gradient[i], clip);
    velocity[i] = v;
    params[i] += v;
  }
}

/** True when every value is finite (no NaN, no ±Infinity). */
export function allFinite(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}
