import { lastValueFrom, of, toArray } from 'rxjs';
import { fail } from '../../errors.js';
import { layoutOf, viewsOf } from '../../model/network/layout.js';
import type { Network } from '../../model/network/network.js';
import { backward, inputGradient, recurrentSize, type GradientTrace, type LstmpSpec } from '../../ops/nn/lstmp.js';
import { carriedForward } from '../pipeline/carried-state.js';
import { chunk } from '../pipeline/chunk.js';
import { delayUtterance } from '../pipeline/delay-targets.js';
import type { LabelledUtterance } from '../pipeline/utterance.js';

/** One layer's insides over a chunk's T steps (one stream), step-major. */
export interface LayerTrace {
  /** [T, C] input gate i_t */
  readonly inputGate: Float32Array;
  /** [T, C] forget gate f_t */
  readonly forgetGate: Float32Array;
  /** [T, C] output gate o_t */
  readonly outputGate: Float32Array;
  /** [T, C] cell state c_t (after clipping) */
  readonly cells: Float32Array;
  /** [T, C] 1 where the cell was clipped to ±cellClip */
  readonly clipped: Uint8Array;
  /** [T, R] recurrent output r_t (the projection, or m_t for a plain LSTM) */
  readonly outputs: Float32Array;
  /** [T] ‖∂L/∂r_t‖ */
  readonly dr: Float32Array;
  /** [T] ‖∂L/∂c_t‖ */
  readonly dc: Float32Array;
}

/** Everything truncated BPTT does on one chunk of one utterance, laid open. */
export interface ChunkTrace {
  readonly utterance: string;
  readonly spec: LstmpSpec;
  /** which chunk of the utterance (from 0), and how many it has */
  readonly chunk: number;
  readonly chunks: number;
  /** T */
  readonly steps: number;
  /** steps that hold frames (T except in the last chunk, which is padded) */
  readonly frames: number;
  /** the label delay applied: step t's target is the state of frame t − delay */
  readonly delay: number;
  /** the chunk's first step, counted in the delayed utterance's frames */
  readonly firstFrame: number;
  /** whether the stream started from a zero state (the utterance's first chunk) or carried its state in */
  readonly reset: boolean;
  /** [T, I] */
  readonly features: Float32Array;
  /** [T]; −1 where there is none */
  readonly targets: Int32Array;
  /** [T] */
  readonly mask: Float32Array;
  /** [T] the most probable state */
  readonly predicted: Int32Array;
  /** [T] the posterior of the target state (NaN where there is none) */
  readonly targetProbability: Float32Array;
  /** [T] −mask·log p(target): each frame's share of the loss */
  readonly loss: Float32Array;
  /** [T, I] ∂L/∂x: how the chunk's loss moves with each input feature */
  readonly inputGradient: Float32Array;
  readonly layers: readonly LayerTrace[];
}

/**
 * Runs chunk `index` of an utterance as training does (one stream of T steps,
 * labels delayed, the state carried in from the chunks before it) and
 * records what happens inside: gates, cells, outputs, each frame's loss, and
 * the gradient norms that backward passes back through the steps.
 *
 * @example const trace = await traceChunk(network, utterance, { steps: 20, index: 0, delay: 5 })
 */
export async function traceChunk(network: Network, utterance: LabelledUtterance, options: { steps: number; index: number; delay: number }): Promise<ChunkTrace> {
  const { spec, kernels, weights } = network;
  const delayed = delayUtterance(utterance, options.delay);
  const chunks = await lastValueFrom(of(delayed).pipe(chunk({ streams: 1, steps: options.steps }), toArray()));
  if (options.index >= chunks.length) {
    fail(`utterance ${utterance.id} has ${chunks.length} chunk${chunks.length === 1 ? '' : 's'} of ${options.steps} steps (${delayed.frames} frames with the delay); there is no chunk ${options.index}`);
  }
  const forward = carriedForward(network); // not released: the trace below keeps views of its workspace
  for (let k = 0; k < options.index; k++) forward.run(chunks[k]);
  const current = chunks[options.index];
  const ws = forward.run(current);

  const T = options.steps;
  const { cells: C, outputs: O } = spec;
  const R = recurrentSize(spec);
  const gradientTrace: GradientTrace = {
    dr: Array.from({ length: spec.layers }, () => new Float32Array(T)),
    dc: Array.from({ length: spec.layers }, () => new Float32Array(T)),
  };
  const gradient = viewsOf(spec, new Float32Array(layoutOf(spec).size));
  backward(kernels, spec, weights, current.features, current.targets, current.mask, ws, gradient, gradientTrace);
  const dx = new Float32Array(T * spec.inputs);
  inputGradient(kernels, spec, weights, ws, dx);

  const gate = (gates: Float32Array, which: number) => {
    const out = new Float32Array(T * C);
    for (let t = 0; t < T; t++) out.set(gates.subarray(t * 4 * C + which * C, t * 4 * C + (which + 1) * C), t * C);
    return out;
  };
  const layers = ws.layers.map((act, k) => ({
    inputGate: gate(act.gates, 0),
    forgetGate: gate(act.gates, 1),
    outputGate: gate(act.gates, 3),
    cells: act.c.slice(C, (T + 1) * C),
    clipped: Uint8Array.from(act.clipped),
    outputs: act.r.slice(R, (T + 1) * R),
    dr: gradientTrace.dr[k],
    dc: gradientTrace.dc[k],
  }));

  const predicted = new Int32Array(T);
  const targetProbability = new Float32Array(T).fill(NaN);
  const loss = new Float32Array(T);
  for (let t = 0; t < T; t++) {
    const row = ws.logp.subarray(t * O, (t + 1) * O);
    predicted[t] = row.indexOf(Math.max(...row));
    const target = current.targets[t];
    if (target < 0) continue;
    targetProbability[t] = Math.exp(row[target]);
    loss[t] = -current.mask[t] * row[target];
  }
  const firstFrame = options.index * T;
  return {
    utterance: utterance.id,
    spec,
    chunk: options.index,
    chunks: chunks.length,
    steps: T,
    frames: Math.min(T, delayed.frames - firstFrame),
    delay: options.delay,
    firstFrame,
    reset: current.reset[0] === 1,
    features: current.features,
    inputGradient: dx,
    targets: current.targets,
    mask: current.mask,
    predicted,
    targetProbability,
    loss,
    layers,
  };
}
