import { portableKernels, type Kernels } from '../../src/ops/kernels.js';
import { createWasmKernels } from '../../src/ops/wasm-kernels.js';

/** Every kernel set: each operator test runs on all of them. */
export const kernelsUnderTest: readonly Kernels[] = [portableKernels, createWasmKernels()];
