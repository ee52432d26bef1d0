import { layoutOf, viewsOf } from '../model/network/layout.js';
import type { Kernels } from '../ops/kernels/kernels.js';
import { backward, createWorkspace, forward, recurrentSize, releaseWorkspace, zeroState, type LstmpSpec, type LstmpState } from '../ops/nn/lstmp.js';

/** One chunk's data as the LSTMP operators take it: x [T, B, I], targets and mask [T, B], optional reset [B]. */
export interface ChunkData {
  readonly steps: number;
  readonly streams: number;
  readonly x: Float32Array;
  readonly targets: Int32Array;
  readonly mask: Float32Array;
  readonly reset?: Uint8Array;
}

/** A copy of a carried state (the forward pass overwrites the one it is given). */
export function copyState(state: LstmpState): LstmpState {
  return { r: state.r.map((a) => a.slice()), c: state.c.map((a) => a.slice()) };
}

/**
 * The forward pass over a chunk on `kernels`, from a copy of `state` (zero
 * when absent): the log-posteriors [T·B, O], the final state and the summed
 * masked cross entropy. Its workspace goes back to the kernels' memory.
 */
export function runForward(kernels: Kernels, spec: LstmpSpec, params: Float32Array, chunk: ChunkData, state?: LstmpState) {
  const ws = createWorkspace(spec, chunk.steps, chunk.streams, kernels.alloc);
  const carried = state ? copyState(state) : zeroState(spec, chunk.streams);
  forward(kernels, spec, viewsOf(spec, params), chunk.x, carried, chunk.reset ?? null, ws);
  let loss = 0;
  const O = spec.outputs;
  for (let n = 0; n < chunk.steps * chunk.streams; n++) {
    if (chunk.mask[n] !== 0) loss -= chunk.mask[n] * ws.logp[n * O + chunk.targets[n]];
  }
  const logp = ws.logp.slice();
  releaseWorkspace(ws, kernels.release);
  return { logp, state: carried, loss };
}

/** Forward and truncated BPTT over a chunk on `kernels`, from a copy of `state`: the loss and the flat gradient of every parameter. */
export function runBackward(kernels: Kernels, spec: LstmpSpec, params: Float32Array, chunk: ChunkData, state?: LstmpState) {
  const ws = createWorkspace(spec, chunk.steps, chunk.streams, kernels.alloc);
  const carried = state ? copyState(state) : zeroState(spec, chunk.streams);
  const w = viewsOf(spec, params);
  forward(kernels, spec, w, chunk.x, carried, chunk.reset ?? null, ws);
  const gradient = new Float32Array(layoutOf(spec).size);
  const loss = backward(kernels, spec, w, chunk.x, chunk.targets, chunk.mask, ws, viewsOf(spec, gradient));
  const logp = ws.logp.slice();
  releaseWorkspace(ws, kernels.release);
  return { loss, gradient, logp, state: carried };
}

/** Values added to r_t or c_t (the cell state after clipping) of one layer at one step, as the reference's forward pass runs. */
export interface Nudge {
  readonly kind: 'r' | 'c';
  readonly layer: number;
  readonly step: number;
  /** [B, R] or [B, C]: added to the step's values */
  readonly values: ArrayLike<number>;
}

/**
 * The summed masked cross entropy of a chunk in float64, written plainly from
 * the paper's equations one stream and one unit at a time, calling no kernel:
 * an independent reference for the LSTMP's forward pass on any kernel set. A
 * `nudge` perturbs r_t or c_t of one layer and step, so finite differences
 * of this loss give ∂L/∂r_t and ∂L/∂c_t (see `numericGradient`).
 */
export function referenceLstmpLoss(spec: LstmpSpec, params: Float32Array, chunk: ChunkData, state: LstmpState, nudge?: Nudge): number {
  const w = viewsOf(spec, params);
  const { steps: T, streams: B } = chunk;
  const { cells: C, inputs: I, outputs: O } = spec;
  const R = recurrentSize(spec);
  const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
  const nudged = (kind: Nudge['kind'], layer: number, step: number, index: number) => (nudge?.kind === kind && nudge.layer === layer && nudge.step === step ? nudge.values[index] : 0);
  const r = state.r.map((layer) => Array.from(layer));
  const c = state.c.map((layer) => Array.from(layer));
  for (let b = 0; b < B; b++) {
    if (!chunk.reset?.[b]) continue;
    for (let k = 0; k < spec.layers; k++) {
      r[k].fill(0, b * R, (b + 1) * R);
      c[k].fill(0, b * C, (b + 1) * C);
    }
  }
  let loss = 0;
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      let input = Array.from(chunk.x.subarray((t * B + b) * I, (t * B + b + 1) * I), Number);
      for (let k = 0; k < spec.layers; k++) {
        const lw = w.layers[k];
        const rPrev = r[k].slice(b * R, (b + 1) * R);
        const z = (row: number) => {
          let sum = lw.b[row];
          for (let i = 0; i < input.length; i++) sum += lw.Wx[row * input.length + i] * input[i];
          for (let i = 0; i < R; i++) sum += lw.Wr[row * R + i] * rPrev[i];
          return sum;
        };
        const m: number[] = [];
        for (let j = 0; j < C; j++) {
          const cPrev = c[k][b * C + j];
          const peep = (gate: number, value: number) => (lw.peephole ? lw.peephole[gate * C + j] * value : 0);
          const i = sigmoid(z(j) + peep(0, cPrev));
          const f = sigmoid(z(C + j) + peep(1, cPrev));
          const g = Math.tanh(z(2 * C + j));
          const cell = Math.max(-spec.cellClip, Math.min(spec.cellClip, f * cPrev + i * g)) + nudged('c', k, t, b * C + j);
          const o = sigmoid(z(3 * C + j) + peep(2, cell));
          c[k][b * C + j] = cell;
          m.push(o * Math.tanh(cell));
        }
        const out = lw.Wrm ? Array.from({ length: R }, (_, p) => m.reduce((sum, mj, j) => sum + lw.Wrm![p * C + j] * mj, 0)) : m;
        for (let p = 0; p < R; p++) r[k][b * R + p] = out[p] + nudged('r', k, t, b * R + p);
        input = r[k].slice(b * R, (b + 1) * R);
      }
      const n = t * B + b;
      if (chunk.mask[n] === 0) continue;
      const logits = Array.from({ length: O }, (_, o) => input.reduce((sum, rp, p) => sum + w.Wyr[o * R + p] * rp, w.by[o]));
      const top = Math.max(...logits);
      const logZ = top + Math.log(logits.reduce((sum, v) => sum + Math.exp(v - top), 0));
      loss -= chunk.mask[n] * (logits[chunk.targets[n]] - logZ);
    }
  }
  return loss;
}
