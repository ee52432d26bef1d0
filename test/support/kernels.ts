import { type Kernels } from '../../src/ops/kernels/kernels.js';
import { createWasmKernels } from '../../src/ops/kernels/wasm/wasm-kernels.js';
import { portableKernels } from '../../src/ops/kernels/portable/portable-kernels.js';

/** Every kernel set: each operator test runs on all of them. */
export const kernelsUnderTest: readonly Kernels[] = [portableKernels, createWasmKernels()];
