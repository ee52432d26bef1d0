import { scan, type OperatorFunction } from 'rxjs';
import type { Network } from '../../model/network/network.js';
import { correctFrames, countFrames } from '../../ops/nn/accuracy.js';
import { carriedForward } from './carried-state.js';
import type { Chunk } from './chunk.js';
import { operate } from './operate.js';
import { crossEntropy } from '../../ops/nn/cross-entropy.js';

/** Loss and frame counts over some frames. */
export interface Score {
  readonly loss: number;
  readonly frames: number;
  readonly correct: number;
}

/** Frame accuracy as a fraction (0 when no frame counted). */
export function frameAccuracy(score: Score): number {
  return score.frames === 0 ? 0 : score.correct / score.frames;
}

/** Two scores summed. */
export function addScores(a: Score, b: Score): Score {
  return { loss: a.loss + b.loss, frames: a.frames + b.frames, correct: a.correct + b.correct };
}

export const NO_SCORE: Score = { loss: 0, frames: 0, correct: 0 };

/**
 * Forward pass only (state carried across chunks, as in training): the loss
 * and frame accuracy of each chunk.
 *
 * @example
 * dev$.pipe(delayTargets(5), chunk({ streams: 4, steps: 20 }), score(network), runningScore())
 */
export function score(network: Network): OperatorFunction<Chunk, Score> {
  const { spec } = network;
  return operate((subscriber) => {
    const forward = carriedForward(network);
    subscriber.add(forward.release);
    let argmax = new Int32Array(0);
    return {
      next: (chunk) => {
        const ws = forward.run(chunk);
        const rows = chunk.steps * chunk.streams;
        if (argmax.length < rows) argmax = new Int32Array(rows);
        subscriber.next({
          loss: crossEntropy(ws.logp, chunk.targets, chunk.mask, rows, spec.outputs),
          frames: countFrames(chunk.mask),
          correct: correctFrames(network.kernels, ws.logp, chunk.targets, chunk.mask, rows, spec.outputs, argmax),
        });
      },
    };
  });
}

/** The running total of scores: metrics as a stream. */
export function runningScore(): OperatorFunction<Score, Score> {
  return scan(addScores, NO_SCORE);
}
