import type { OperatorFunction } from 'rxjs';
import { DivergedError } from '../../errors.js';
import { isBiasOrPeephole, layoutOf } from '../../model/network/layout.js';
import type { Network } from '../../model/network/network.js';
import { learningRateAt, type Schedule } from '../../model/network/schedule.js';
import { type Kernels } from '../../ops/kernels/kernels.js';
import type { ChunkGradient } from './bptt.js';
import { localClock, type FrameClock } from './frame-clock.js';
import { operate } from './operate.js';
import { portableKernels } from '../../ops/kernels/portable/portable-kernels.js';

/** One update applied: what was learned from one chunk. */
export interface TrainingStep {
  readonly loss: number;
  readonly frames: number;
  readonly correct: number;
  /** frames seen by the schedule before this update (all threads together) */
  readonly framesSeen: number;
  readonly learningRate: number;
}

/**
 * The parameter-update stream: applies each chunk's gradient to the
 * network's parameters with SGD (the rate from the schedule at the
 * frames seen so far, momentum with a velocity per subscription, biases and peepholes at their own factor, elementwise
 * clipping) and emits what it did. Without locks, so many threads can update
 * one shared buffer (Hogwild). A NaN or infinite loss or gradient errors the
 * stream instead of touching the parameters.
 *
 * @example
 * chunks$.pipe(bptt(network), sgd(network, schedule), tap(log))
 */
export function sgd(network: Network, schedule: Schedule, clock: FrameClock = localClock()): OperatorFunction<ChunkGradient, TrainingStep> {
  const slots = layoutOf(network.spec).tensors.map((slot) => ({ ...slot, factor: isBiasOrPeephole(slot.name) ? schedule.biasRateFactor : 1 }));
  return operate((subscriber) => {
    // Plain SGD needs no velocity: the update then reads the gradient and the parameters only. A
    // velocity lives where the kernels work in place, until the subscription ends.
    const velocity = schedule.momentum === 0 ? null : network.kernels.alloc(network.parameters.length);
    subscriber.add(() => velocity && network.kernels.release(velocity));
    return { next: (gradient) => subscriber.next(update(gradient, velocity)) };
  });

  function update({ loss, frames, correct, gradient }: ChunkGradient, velocity: Float32Array | null): TrainingStep {
    assertFinite(loss, gradient, network.kernels);
    const framesSeen = clock.advance(frames);
    const learningRate = learningRateAt(schedule, framesSeen, clock.planned);
    for (const slot of slots) {
      network.kernels.sgdStep(network.parameters, velocity, gradient, slot.offset, slot.size, learningRate * slot.factor, schedule.momentum, schedule.gradientClip);
    }
    return { loss, frames, correct, framesSeen, learningRate };
  }
}

/**
 * Throws a {@link DivergedError} when a chunk's loss or gradient is not
 * finite: such a step must never be applied. One whole pass over the gradient
 * before any parameter changes (on `kernels`, where the gradient lives).
 */
export function assertFinite(loss: number, gradient: Float32Array, kernels: Pick<Kernels, 'allFinite'> = portableKernels): void {
  if (!Number.isFinite(loss)) throw new DivergedError(`training diverged: the loss is not finite (${loss})`);
  if (!kernels.allFinite(gradient)) throw new DivergedError(`training diverged: the gradient is not finite (the loss was ${loss})`);
}
