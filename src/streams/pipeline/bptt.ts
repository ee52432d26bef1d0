import type { OperatorFunction } from 'rxjs';
import { layoutOf, viewsOf } from '../../model/network/layout.js';
import type { Network } from '../../model/network/network.js';
import { correctFrames, countFrames } from '../../ops/nn/accuracy.js';
import { backward } from '../../ops/nn/lstmp.js';
import { carriedForward } from './carried-state.js';
import type { Chunk } from './chunk.js';
import { operate } from './operate.js';

/** What truncated BPTT over one chunk gives. */
export interface ChunkGradient {
  readonly chunk: Chunk;
  /** summed cross entropy over the chunk's unmasked frames */
  readonly loss: number;
  readonly frames: number;
  /** frames whose most probable state is the target */
  readonly correct: number;
  /**
   * ∂loss/∂parameters, laid out like the network's parameter buffer. The
   * buffer is reused for the next chunk: use it before then (as the update
   * stage does) or copy it.
   */
  readonly gradient: Float32Array;
}

/**
 * Forward pass and truncated BPTT per chunk, with each stream's state carried
 * from chunk to chunk: the gradient stops at the chunk's start, the state
 * does not. Reads the network's parameters as they are when each chunk
 * arrives, so updates applied downstream take effect on the next chunk.
 * Each subscription allocates its gradient and workspace from the network's
 * kernels and gives them back when it ends.
 *
 * @example
 * utterances$.pipe(delayTargets(5), chunk({ streams: 4, steps: 20 }), bptt(network), sgd(network, schedule))
 */
export function bptt(network: Network): OperatorFunction<Chunk, ChunkGradient> {
  const { spec, kernels, weights } = network;
  return operate((subscriber) => {
    const forward = carriedForward(network);
    const gradient = kernels.alloc(layoutOf(spec).size);
    const gradientViews = viewsOf(spec, gradient);
    let argmax = new Int32Array(0);
    subscriber.add(() => {
      forward.release();
      kernels.release(gradient);
    });
    return {
      next: (chunk) => {
        const ws = forward.run(chunk);
        const loss = backward(kernels, spec, weights, chunk.features, chunk.targets, chunk.mask, ws, gradientViews);
        const rows = chunk.steps * chunk.streams;
        if (argmax.length < rows) argmax = new Int32Array(rows);
        const correct = correctFrames(kernels, ws.logp, chunk.targets, chunk.mask, rows, spec.outputs, argmax);
        subscriber.next({ chunk, loss, frames: countFrames(chunk.mask), correct, gradient });
      },
    };
  });
}
