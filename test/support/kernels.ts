import { type Kernels } from '../../src/ops/kernels/kernels.js';
import { createWasmKernels } from '../../src/ops/kernels/wasm/wasm-kernels.js';
import { relaxedSimdAvailable } from '../../src/ops/kernels/wasm/relaxed-simd.js';
import { portableKernels } from '../../src/ops/kernels/portable/portable-kernels.js';
import { enableRelaxedSimd } from '../../src/cli/relaxed-simd.js';

// As the CLI does before any module compiles, so the wasm set's fused path runs here on Node 20 too.
enableRelaxedSimd();

/** A kernel set by what makes it, so that a worker thread can make its own (see {@link kernelsOf}). */
export type KernelRecipe = { readonly set: 'portable' } | { readonly set: 'wasm'; readonly relaxedSimd: boolean };

/**
 * Every kernel set: each operator test runs on all of them. The wasm set
 * with and without relaxed SIMD.
 */
export const kernelRecipes: readonly KernelRecipe[] = [
  { set: 'portable' },
  { set: 'wasm', relaxedSimd: false },
  ...(relaxedSimdAvailable() ? [{ set: 'wasm', relaxedSimd: true } as const] : []),
];

export function kernelsOf(recipe: KernelRecipe): Kernels {
  return recipe.set === 'wasm' ? createWasmKernels({ relaxedSimd: recipe.relaxedSimd }) : portableKernels;
}

export const kernelsUnderTest: readonly Kernels[] = kernelRecipes.map(kernelsOf);
