import { type Kernels } from '../../ops/kernels/kernels.js';
import type { LstmpSpec, LstmpWeights } from '../../ops/nn/lstmp.js';
import { viewsOf } from './layout.js';
import { portableKernels } from '../../ops/kernels/portable/portable-kernels.js';

/**
 * A network ready to run: its shape, its one flat parameter buffer (which may
 * live in a SharedArrayBuffer that several threads update), named views into
 * that buffer, and the kernels its products run on.
 */
export interface Network {
  readonly spec: LstmpSpec;
  readonly parameters: Float32Array;
  readonly weights: LstmpWeights;
  readonly kernels: Kernels;
}

export function networkOf(spec: LstmpSpec, parameters: Float32Array, kernels: Kernels = portableKernels): Network {
  return { spec, parameters, weights: viewsOf(spec, parameters), kernels };
}
