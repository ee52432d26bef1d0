import type { Kernels } from '../../src/ops/kernels/kernels.js';
import {
  backward,
  createWorkspace,
  forward,
  zeroState,
  type LstmpSpec,
  type LstmpState,
} from '../../src/ops/nn/lstmp.js';
import { layoutOf, viewsOf } from '../../src/model/network/layout.js';

/** One chunk's data: x [T, B, I], targets and mask [T, B], optional reset [B]. */
export interface Chunk {
  steps: number;
  streams: number;
  x: Float32Array;
  targets: Int32Array;
  mask: Float32Array;
  reset?: Uint8Array;
}

export function copyState(state: LstmpState): LstmpState {
  return { r: state.r.map((a) => a.slice()), c: state.c.map((a) => a.slice()) };
}

/** Forward over a chunk from a copy of `state`: log-posteriors, final state and loss. */
export function runForward(kernels: Kernels, spec: LstmpSpec, params: Float32Array, chunk: Chunk, state?: LstmpState) {
  const ws = createWorkspace(spec, chunk.steps, chunk.streams, kernels.alloc);
  const carried = state ? copyState(state) : zeroState(spec, chunk.streams);
  forward(kernels, spec, viewsOf(spec, params), chunk.x, carried, chunk.reset ?? null, ws);
  let loss = 0;
  const O = spec.outputs;
  for (let n = 0; n < chunk.steps * chunk.streams; n++) {
    if (chunk.mask[n] !== 0) loss -= chunk.mask[n] * ws.logp[n * O + chunk.targets[n]];
  }
  return { logp: ws.logp.slice(), state: carried, loss };
}

/** Loss and the flat gradient over a chunk from a copy of `state`. */
export function runBackward(kernels: Kernels, spec: LstmpSpec, params: Float32Array, chunk: Chunk, state?: LstmpState) {
  const ws = createWorkspace(spec, chunk.steps, chunk.streams, kernels.alloc);
  const carried = state ? copyState(state) : zeroState(spec, chunk.streams);
  const w = viewsOf(spec, params);
  forward(kernels, spec, w, chunk.x, carried, chunk.reset ?? null, ws);
  const gradient = new Float32Array(layoutOf(spec).size);
  const loss = backward(kernels, spec, w, chunk.x, chunk.targets, chunk.mask, ws, viewsOf(spec, gradient));
  return { loss, gradient, logp: ws.logp.slice(), state: carried };
}
