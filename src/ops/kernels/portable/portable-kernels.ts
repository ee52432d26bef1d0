import type { Kernels } from '../kernels.js';
import { cellBackward, cellForward } from './lstm-cell.js';
import { sgemm } from './sgemm.js';
import { argmaxRows, crossEntropyGradient, logSoftmaxRows } from './softmax.js';
import { allFinite, sgdStep } from './update.js';

/** Pure TypeScript kernels: the reference every other kernel is checked against. */
export const portableKernels: Kernels = {
  name: 'portable',
  sgemm,
  alloc: (length) => new Float32Array(length),
  release: () => {}, // the garbage collector's
  cellForward,
  cellBackward,
  logSoftmaxRows,
  argmaxRows,
  crossEntropyGradient,
  sgdStep,
  allFinite,
};
