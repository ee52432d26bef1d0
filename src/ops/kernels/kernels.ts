import type { cellBackward, cellForward } from './portable/lstm-cell.js';
import type { sgemm } from './portable/sgemm.js';
import type { argmaxRows, crossEntropyGradient, logSoftmaxRows } from './portable/softmax.js';
import type { allFinite, sgdStep } from './portable/update.js';

/** sgemm's op(X) = X: how call sites name the bare boolean (BLAS's 'N'). */
export const AS_IS = false;
/** sgemm's op(X) = Xᵀ (BLAS's 'T'). */
export const TRANSPOSED = true;

/**
 * The kernels an operator runs on. An operator's definition (what it
 * computes) takes its kernels as an argument, so the same LSTMP code runs on
 * the portable TypeScript kernels or on faster ones, chosen by one switch.
 * Besides the matrix product, the elementwise passes are kernels too: the
 * LSTM cells' step, the softmax and its gradient, the update and the
 * finiteness check before it.
 */
export interface Kernels {
  readonly name: string;
  readonly sgemm: typeof sgemm;
  /**
   * A zero-filled array of `length` floats placed where this kernel set works
   * fastest (wasm: a view into its memory, which its sgemm uses without
   * copying). Meant for long-lived buffers: parameters, workspaces.
   */
  readonly alloc: (length: number) => Float32Array;
  /**
   * Gives back an array `alloc` returned, once nothing uses it any more: a
   * later `alloc` of the same length may hand out the same floats again
   * (zero-filled). Stages release what they allocated when unsubscribed.
   */
  readonly release: (array: Float32Array) => void;
  readonly cellForward: typeof cellForward;
  readonly cellBackward: typeof cellBackward;
  readonly logSoftmaxRows: typeof logSoftmaxRows;
  /**
   * Each row's arg-max (frame accuracy's; a row holding NaN may give any of
   * its indices): optional, since a set without it
   * scores frames with the portable loop; on the paper's 14,247 outputs that
   * loop is 2–4 % of a training step.
   */
  readonly argmaxRows?: typeof argmaxRows;
  readonly crossEntropyGradient: typeof crossEntropyGradient;
  readonly sgdStep: typeof sgdStep;
  readonly allFinite: typeof allFinite;
}
