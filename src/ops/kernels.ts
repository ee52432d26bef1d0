import { sgemm } from './gemm.js';

/**
 * The kernels an operator runs on. An operator's definition (what it
 * computes) takes its kernels as an argument, so the same LSTMP code runs on
 * the portable TypeScript kernels or on faster ones, chosen by one switch.
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
}

/** Pure TypeScript kernels: the reference every other kernel is checked against. */
export const portableKernels: Kernels = { name: 'portable', sgemm, alloc: (length) => new Float32Array(length) };
