import type { Kernels } from '../kernels/kernels.js';
import { forward, workspaceFloats, workspaceIn, zeroState, type LstmpSpec, type LstmpWeights } from './lstmp.js';

/**
 * The log-posteriors [T, O] of one utterance x [T, I] from a zero state, run
 * `chunkSteps` steps at a time with the state carried across, so the
 * activations held never exceed one chunk however long the utterance. They
 * live in one pool from `kernels.alloc`, always of `chunkSteps` steps, so the
 * kernels work in place and every call reuses the same region.
 *
 * @example chunkedForward(portableKernels, spec, viewsOf(spec, params), x, T, 256)
 */
export function chunkedForward(
  kernels: Kernels,
  spec: LstmpSpec,
  w: LstmpWeights,
  x: Float32Array,
  steps: number,
  chunkSteps: number,
): Float32Array {
  const { inputs: I, outputs: O } = spec;
  const logp = new Float32Array(steps * O);
  const state = zeroState(spec, 1);
  const pool = kernels.alloc(workspaceFloats(spec, chunkSteps, 1));
  try {
    let ws = workspaceIn(spec, Math.min(chunkSteps, steps), 1, pool);
    for (let t0 = 0; t0 < steps; t0 += chunkSteps) {
      const n = Math.min(chunkSteps, steps - t0);
      if (n !== ws.steps) ws = workspaceIn(spec, n, 1, pool); // only the last, shorter chunk
      forward(kernels, spec, w, x.subarray(t0 * I, (t0 + n) * I), state, null, ws);
      logp.set(ws.logp, t0 * O);
    }
  } finally {
    kernels.release(pool);
  }
  return logp;
}
