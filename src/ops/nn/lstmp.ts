import { copyFloats } from '../kernels/copy.js';
import { AS_IS, TRANSPOSED, type Kernels } from '../kernels/kernels.js';

/**
 * The shape of a deep LSTM or LSTMP network (Sak, Senior & Beaufays 2014):
 * memory blocks with forget gate, diagonal peepholes, g = h = tanh, cell
 * clipping, an optional linear recurrent projection and a softmax on top.
 */
export interface LstmpSpec {
  readonly inputs: number;
  readonly cells: number;
  /** Projection units; 0 means a plain LSTM, whose recurrence and output use m_t. */
  readonly projection: number;
  readonly layers: number;
  readonly outputs: number;
  readonly cellClip: number;
  readonly peepholes: boolean;
}

/** One layer's weights, row-major, gate rows in the order i, f, g, o. */
export interface LayerWeights {
  /** [4C, inputs of this layer] */
  readonly Wx: Float32Array;
  /** [4C, R] where R is the recurrent size */
  readonly Wr: Float32Array;
  /** [4C] */
  readonly b: Float32Array;
  /** [3, C], rows i, f, o; null without peepholes */
  readonly peephole: Float32Array | null;
  /** [P, C]; null for a plain LSTM */
  readonly Wrm: Float32Array | null;
}

/** Every weight of a network (or, with the same layout, every gradient). */
export interface LstmpWeights {
  readonly layers: readonly LayerWeights[];
  /** [O, R] */
  readonly Wyr: Float32Array;
  /** [O] */
  readonly by: Float32Array;
}

/** State carried between chunks: per layer r [B, R] and c [B, C]. */
export interface LstmpState {
  readonly r: readonly Float32Array[];
  readonly c: readonly Float32Array[];
}

/** The recurrent size R: the projection, or the cells of a plain LSTM. */
export function recurrentSize(spec: LstmpSpec): number {
  return spec.projection > 0 ? spec.projection : spec.cells;
}

/** The number of inputs layer k reads: the features, or the layer below's r_t. */
export function layerInputs(spec: LstmpSpec, k: number): number {
  return k === 0 ? spec.inputs : recurrentSize(spec);
}

/** A zero state for B streams. */
export function zeroState(spec: LstmpSpec, streams: number): LstmpState {
  const r: Float32Array[] = [];
  const c: Float32Array[] = [];
  for (let k = 0; k < spec.layers; k++) {
    r.push(new Float32Array(streams * recurrentSize(spec)));
    c.push(new Float32Array(streams * spec.cells));
  }
  return { r, c };
}

/** What the forward pass of one layer keeps for the backward pass. */
export interface LayerActivations {
  /** [T, B, 4C] gate activations i, f, g, o (after their nonlinearities) */
  readonly gates: Float32Array;
  /** [T+1, B, C] cell states; slot 0 is the state the chunk started from */
  readonly c: Float32Array;
  /** [T, B, C] tanh(c_t) */
  readonly hc: Float32Array;
  /** [T, B, C] 1 where the cell was clipped (no gradient passes), else 0 */
  readonly clipped: Float32Array;
  /** [T, B, C] cell outputs m_t (for a plain LSTM, a view of r's slots 1..T) */
  readonly m: Float32Array;
  /** [T+1, B, R] recurrent outputs; slot 0 is the state the chunk started from */
  readonly r: Float32Array;
}

/** Preallocated buffers for one chunk of T steps × B streams: nothing is allocated per step. */
export interface Workspace {
  readonly steps: number;
  readonly streams: number;
  readonly layers: readonly LayerActivations[];
  /** [T, B, O] log-posteriors */
  readonly logp: Float32Array;
  /** backward scratch */
  readonly dLogits: Float32Array;
  readonly dGates: Float32Array;
  readonly dAbove: Float32Array;
  readonly dBelow: Float32Array;
  readonly dm: Float32Array;
  readonly dc: Float32Array;
  /** [T·B] ones: bias gradients (column sums) as products 1ᵀ·∂L/∂z */
  readonly ones: Float32Array;
}

/**
 * Allocates the buffers that forward and backward over T steps × B streams
 * use, with `alloc` (pass `kernels.alloc` so they live where the kernels run
 * fastest).
 */
export function createWorkspace(
  spec: LstmpSpec,
  steps: number,
  streams: number,
  alloc: (length: number) => Float32Array = (length) => new Float32Array(length),
): Workspace {
  const { cells: C, outputs: O } = spec;
  const R = recurrentSize(spec);
  const frames = steps * streams;
  const layers: LayerActivations[] = [];
  for (let k = 0; k < spec.layers; k++) {
    const r = alloc((steps + 1) * streams * R);
    layers.push({
      gates: alloc(frames * 4 * C),
      c: alloc((steps + 1) * streams * C),
      hc: alloc(frames * C),
      clipped: alloc(frames * C),
      m: spec.projection > 0 ? alloc(frames * C) : partOfR(r.subarray(streams * R)),
      r,
    });
  }
  return {
    steps,
    streams,
    layers,
    logp: alloc(frames * O),
    dLogits: alloc(frames * O),
    dGates: alloc(frames * 4 * C),
    dAbove: alloc(frames * R),
    dBelow: alloc(frames * R),
    dm: alloc(streams * C),
    dc: alloc(streams * C),
    ones: alloc(frames).fill(1),
  };
}

/** Each buffer of {@link workspaceIn} starts on a 64-byte line, as the kernels' own allocations do. */
const LINE_FLOATS = 16;
const lineUp = (floats: number): number => Math.ceil(floats / LINE_FLOATS) * LINE_FLOATS;

/** The floats a pool for {@link workspaceIn} of T steps × B streams needs. */
export function workspaceFloats(spec: LstmpSpec, steps: number, streams: number): number {
  let floats = 0;
  createWorkspace(spec, steps, streams, (length) => {
    floats += lineUp(length);
    return new Float32Array(0);
  });
  return floats;
}

/**
 * A workspace whose buffers are zeroed views of `pool` (at least
 * {@link workspaceFloats} long): a pool from `kernels.alloc` puts every
 * buffer where the kernels use it in place, and one pool serves chunks of
 * any length up to the one it was sized for. Nothing to release but the pool.
 */
export function workspaceIn(spec: LstmpSpec, steps: number, streams: number, pool: Float32Array): Workspace {
  let at = 0;
  return createWorkspace(spec, steps, streams, (length) => {
    if (at + lineUp(length) > pool.length) {
      throw new RangeError(`workspaceIn: the pool has ${pool.length} floats, too few for ${steps} steps × ${streams} streams (workspaceFloats: ${workspaceFloats(spec, steps, streams)})`);
    }
    const view = pool.subarray(at, at + length).fill(0);
    at += lineUp(length);
    return view;
  });
}

/**
 * A plain LSTM's m_t: r's slots 1..T, no allocation of its own, so never released. Recorded as made,
 * not told by address: with T = 0 the view is empty and sits just past r's end, where releasing it
 * once put an address inside r's cache line on the free list.
 */
const viewsOfR = new WeakSet<Float32Array>();
const partOfR = (view: Float32Array): Float32Array => {
  viewsOfR.add(view);
  return view;
};

/** Gives back every buffer {@link createWorkspace} allocated with `alloc` (pass `kernels.release`). */
export function releaseWorkspace(ws: Workspace, release: (array: Float32Array) => void): void {
  for (const layer of ws.layers) {
    for (const array of [layer.gates, layer.c, layer.hc, layer.clipped, layer.r]) release(array);
    if (!viewsOfR.has(layer.m)) release(layer.m); // without a projection, m is part of r
  }
  for (const array of [ws.logp, ws.dLogits, ws.dGates, ws.dAbove, ws.dBelow, ws.dm, ws.dc, ws.ones]) release(array);
}

/**
 * Forward pass over one chunk: x is [T, B, I] (step-major, so step t's B
 * frames are contiguous). Each stream starts from the carried `state`, or from
 * zero where `reset[b]` is set; on return `state` holds the final r_T, c_T and
 * `ws.logp` the log-posteriors [T, B, O].
 *
 * Products that do not depend on the recurrence (input to gates, output layer)
 * run once over all T·B frames; only the recurrent product runs per step.
 */
export function forward(
  kernels: Kernels,
  spec: LstmpSpec,
  w: LstmpWeights,
  x: Float32Array,
  state: LstmpState,
  reset: Uint8Array | null,
  ws: Workspace,
): void {
  const { steps: T, streams: B } = ws;
  const { cells: C, outputs: O } = spec;
  const R = recurrentSize(spec);
  const frames = T * B;
  const G = 4 * C;
  for (let k = 0; k < spec.layers; k++) {
    const lw = w.layers[k];
    const act = ws.layers[k];
    const nIn = layerInputs(spec, k);
    const input = k === 0 ? x : ws.layers[k - 1].r;
    const inputOffset = k === 0 ? 0 : B * R;

    loadState(state.r[k], state.c[k], reset, R, C, B, act.r, act.c);
    for (let n = 0; n < frames; n++) act.gates.set(lw.b, n * G);
    kernels.sgemm(AS_IS, TRANSPOSED, frames, G, nIn, 1, input, inputOffset, nIn, lw.Wx, 0, nIn, 1, act.gates, 0, G);

    for (let t = 0; t < T; t++) {
      kernels.sgemm(AS_IS, TRANSPOSED, B, G, R, 1, act.r, t * B * R, R, lw.Wr, 0, R, 1, act.gates, t * B * G, G);
      kernels.cellForward(C, B, spec.cellClip, lw.peephole, act.gates, t * B * G, act.c, t * B * C, (t + 1) * B * C, act.hc, act.clipped, act.m, t * B * C);
      if (lw.Wrm) kernels.sgemm(AS_IS, TRANSPOSED, B, R, C, 1, act.m, t * B * C, C, lw.Wrm, 0, C, 0, act.r, (t + 1) * B * R, R);
    }
    copyFloats(act.r, T * B * R, state.r[k], 0, B * R);
    copyFloats(act.c, T * B * C, state.c[k], 0, B * C);
  }

  const top = ws.layers[spec.layers - 1].r;
  for (let n = 0; n < frames; n++) ws.logp.set(w.by, n * O);
  kernels.sgemm(AS_IS, TRANSPOSED, frames, O, R, 1, top, B * R, R, w.Wyr, 0, R, 1, ws.logp, 0, O);
  kernels.logSoftmaxRows(ws.logp, frames, O);
}

function loadState(
  r: Float32Array, c: Float32Array, reset: Uint8Array | null, R: number, C: number, B: number,
  rSlots: Float32Array, cSlots: Float32Array,
): void {
  copyFloats(r, 0, rSlots, 0, B * R);
  copyFloats(c, 0, cSlots, 0, B * C);
  if (!reset) return;
  for (let b = 0; b < B; b++) {
    if (!reset[b]) continue;
    rSlots.fill(0, b * R, (b + 1) * R);
    cSlots.fill(0, b * C, (b + 1) * C);
  }
}

/**
 * Truncated BPTT over the chunk that {@link forward} last ran on `ws`: the
 * exact gradient of the summed masked cross entropy with respect to every
 * weight, written (not added) to `grads`. Nothing flows into the carried
 * state: the chunk's starting state is a constant. A frame with mask 0 adds
 * no loss and no gradient of its own. Returns the loss.
 *
 * With `trace`, also records how large the gradient flowing back through the
 * steps is (see {@link GradientTrace}); without it nothing extra runs.
 */
export function backward(
  kernels: Kernels,
  spec: LstmpSpec,
  w: LstmpWeights,
  x: Float32Array,
  targets: Int32Array,
  mask: Float32Array,
  ws: Workspace,
  grads: LstmpWeights,
  trace?: GradientTrace,
): number {
  const { steps: T, streams: B } = ws;
  const { outputs: O } = spec;
  const R = recurrentSize(spec);
  const frames = T * B;
  const top = ws.layers[spec.layers - 1].r;

  const loss = kernels.crossEntropyGradient(ws.logp, targets, mask, frames, O, ws.dLogits);
  kernels.sgemm(TRANSPOSED, AS_IS, O, R, frames, 1, ws.dLogits, 0, O, top, B * R, R, 0, grads.Wyr, 0, R);
  kernels.sgemm(AS_IS, AS_IS, 1, O, frames, 1, ws.ones, 0, frames, ws.dLogits, 0, O, 0, grads.by, 0, O);
  let dAbove = ws.dAbove;
  let dBelow = ws.dBelow;
  kernels.sgemm(AS_IS, AS_IS, frames, R, O, 1, ws.dLogits, 0, O, w.Wyr, 0, R, 0, dAbove, 0, R);

  for (let k = spec.layers - 1; k >= 0; k--) {
    layerBackward(kernels, spec, w.layers[k], ws.layers[k], dAbove, ws, grads.layers[k], trace ? { dr: trace.dr[k], dc: trace.dc[k] } : null);
    const lw = w.layers[k];
    const g = grads.layers[k];
    const nIn = layerInputs(spec, k);
    const input = k === 0 ? x : ws.layers[k - 1].r;
    const inputOffset = k === 0 ? 0 : B * R;
    const G = 4 * spec.cells;
    kernels.sgemm(TRANSPOSED, AS_IS, G, nIn, frames, 1, ws.dGates, 0, G, input, inputOffset, nIn, 0, g.Wx, 0, nIn);
    kernels.sgemm(TRANSPOSED, AS_IS, G, R, frames, 1, ws.dGates, 0, G, ws.layers[k].r, 0, R, 0, g.Wr, 0, R);
    kernels.sgemm(AS_IS, AS_IS, 1, G, frames, 1, ws.ones, 0, frames, ws.dGates, 0, G, 0, g.b, 0, G);
    if (k > 0) {
      kernels.sgemm(AS_IS, AS_IS, frames, nIn, G, 1, ws.dGates, 0, G, lw.Wx, 0, nIn, 0, dBelow, 0, nIn);
      [dAbove, dBelow] = [dBelow, dAbove];
    }
  }
  return loss;
}

/**
 * ∂L/∂x, the loss's gradient with respect to the input features [T, B, I],
 * into `out`, after {@link backward} over the same workspace: backward ends
 * on the first layer and leaves its ∂L/∂(gate pre-activations) in
 * ws.dGates, so this is one product with the first layer's W_x. Training
 * does not need it; it shows which input frames the loss depends on.
 *
 * @example backward(kernels, spec, w, x, targets, mask, ws, grads); inputGradient(kernels, spec, w, ws, dx)
 */
export function inputGradient(kernels: Kernels, spec: LstmpSpec, w: LstmpWeights, ws: Workspace, out: Float32Array): void {
  const frames = ws.steps * ws.streams;
  if (out.length < frames * spec.inputs) throw new RangeError(`∂L/∂x needs ${frames * spec.inputs} values, the output holds ${out.length}`);
  kernels.sgemm(AS_IS, AS_IS, frames, spec.inputs, 4 * spec.cells, 1, ws.dGates, 0, 4 * spec.cells, w.layers[0].Wx, 0, spec.inputs, 0, out, 0, spec.inputs);
}

/**
 * Per layer, the size of the gradient at each of the chunk's T steps, as
 * {@link backward} passes back through them: `dr[k][t]` = ‖∂L/∂r_t‖ and
 * `dc[k][t]` = ‖∂L/∂c_t‖ of layer k, Euclidean norms over the B streams'
 * values (total derivatives: from the layer above and from the later steps;
 * c_t is the cell state after clipping). Shows the gradient shrinking or
 * growing as it goes back in time, and stopping at the chunk's start.
 */
export interface GradientTrace {
  /** [layers] arrays of T norms, filled by backward */
  readonly dr: readonly Float32Array[];
  /** [layers] arrays of T norms, filled by backward */
  readonly dc: readonly Float32Array[];
}

// Back through one layer's T steps. On entry dR holds ∂L/∂r_t from above; on
// return it holds the total ∂L/∂r_t (from above and through the recurrence)
// and ws.dGates holds ∂L/∂(gate pre-activations).
function layerBackward(
  kernels: Kernels,
  spec: LstmpSpec,
  lw: LayerWeights,
  act: LayerActivations,
  dR: Float32Array,
  ws: Workspace,
  g: LayerWeights,
  trace: { readonly dr: Float32Array; readonly dc: Float32Array } | null,
): void {
  const { steps: T, streams: B, dGates, dm, dc } = ws;
  const C = spec.cells;
  const R = recurrentSize(spec);
  const G = 4 * C;
  const peep = lw.peephole;
  const dPeep = g.peephole;
  dc.fill(0);
  if (dPeep) dPeep.fill(0);

  for (let t = T - 1; t >= 0; t--) {
    if (t + 1 < T) kernels.sgemm(AS_IS, AS_IS, B, R, G, 1, dGates, (t + 1) * B * G, G, lw.Wr, 0, R, 1, dR, t * B * R, R);
    const dmSource = lw.Wrm ? dm : dR;
    const dmOffset = lw.Wrm ? 0 : t * B * C;
    if (lw.Wrm) kernels.sgemm(AS_IS, AS_IS, B, C, R, 1, dR, t * B * R, R, lw.Wrm, 0, C, 0, dm, 0, C);
    if (trace) {
      trace.dr[t] = Math.sqrt(sumOfSquares(dR, t * B * R, B * R));
      trace.dc[t] = cellGradientNorm(act, peep, dmSource, dmOffset, dc, t, B, C);
    }

    kernels.cellBackward(C, B, peep, dPeep, act.gates, t * B * G, act.hc, act.clipped, t * B * C, act.c, t * B * C, (t + 1) * B * C, dmSource, dmOffset, dc, dGates);
  }
  if (lw.Wrm && g.Wrm) kernels.sgemm(TRANSPOSED, AS_IS, R, C, T * B, 1, dR, 0, R, act.m, 0, C, 0, g.Wrm, 0, C);
}

// ‖∂L/∂c_t‖ over the B streams, before step t's loop above has run: dc still
// holds what came back from step t + 1, to which the paths through m_t (and the
// output gate's peephole) add, as in that loop. Only for a GradientTrace.
function cellGradientNorm(
  act: LayerActivations, peep: Float32Array | null, dmSource: Float32Array, dmOffset: number, dc: Float32Array, t: number, B: number, C: number,
): number {
  let sum = 0;
  for (let b = 0; b < B; b++) {
    const n = t * B + b;
    for (let j = 0; j < C; j++) {
      const o = act.gates[n * 4 * C + 3 * C + j];
      const h = act.hc[n * C + j];
      const dmj = dmSource[dmOffset + b * C + j];
      let dcj = dmj * o * (1 - h * h) + dc[b * C + j];
      if (peep) dcj += dmj * h * o * (1 - o) * peep[2 * C + j];
      sum += dcj * dcj;
    }
  }
  return Math.sqrt(sum);
}

function sumOfSquares(x: Float32Array, offset: number, length: number): number {
  let sum = 0;
  for (let i = offset; i < offset + length; i++) sum += x[i] * x[i];
  return sum;
}
