import { sgemm } from './gemm.js';

/**
 * The kernels an operator runs on. An operator's definition (what it
 * computes) takes its kernels as an argument, so the same LSTMP code runs on
 * the portable TypeScript kernels or on faster ones, chosen by one switch.
 */
export interface Kernels {
  readonly name: string;
  readonly sgemm: typeof sgemm;
}

/** Pure TypeScript kernels: the reference every other kernel is checked against. */
export const portableKernels: Kernels = { name: 'portable', sgemm };
