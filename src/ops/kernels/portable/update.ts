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
  // x · 0 is 0 for every finite x and NaN otherwise: sums with no branch per value, four of them so
  // that no addition waits on the one before (4× the Number.isFinite loop, which a parameter server
  // runs on every push).
  const n = values.length;
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    a += values[i] * 0;
    b += values[i + 1] * 0;
    c += values[i + 2] * 0;
    d += values[i + 3] * 0;
  }
  for (; i < n; i++) a += values[i] * 0;
  return a + b + c + d === 0;
}
