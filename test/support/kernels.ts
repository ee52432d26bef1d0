import { type Kernels } from '../../src/ops/kernels/kernels.js';
import { createWasmKernels } from '../../src/ops/kernels/wasm/wasm-kernels.js';
import { portableKernels } from '../../src/ops/kernels/portable/portable-kernels.js';

/** Every kernel set: each operator test runs on all of them. */
export const kernelsUnderTest: readonly Kernels[] = [portableKernels, createWasmKernels()];

/** A copy of `values` in the kernels' memory (used in place by wasm) or in a plain array (copied through staging). */
export function placed(kernels: Kernels, values: Float32Array, inMemory: boolean): Float32Array {
  const x = inMemory ? kernels.alloc(values.length) : new Float32Array(values.length);
  x.set(values);
  return x;
}
