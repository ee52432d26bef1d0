import { type Kernels } from '../../src/ops/kernels/kernels.js';
import { createNativeKernels, nativeIsas } from '../../src/ops/kernels/native/native-kernels.js';
import { createWasmKernels } from '../../src/ops/kernels/wasm/wasm-kernels.js';
import { relaxedSimdAvailable } from '../../src/ops/kernels/wasm/relaxed-simd.js';
import { portableKernels } from '../../src/ops/kernels/portable/portable-kernels.js';
import { enableRelaxedSimd } from '../../src/cli/relaxed-simd.js';

// As the CLI does before any module compiles, so the wasm set's fused path runs here on Node 20 too.
enableRelaxedSimd();

const native = nativeIsas();

/** Why the native kernels are not among the sets under test (null when they are). */
export const nativeSkipped: string | null = native.isas ? null : native.reason;
if (nativeSkipped) console.warn(`native kernels not tested: ${nativeSkipped}`);

/** A kernel set by what makes it, so that a worker thread can make its own (see {@link kernelsOf}). */
export type KernelRecipe = { readonly set: 'portable' } | { readonly set: 'wasm'; readonly relaxedSimd: boolean } | { readonly set: 'native'; readonly isa: string };

/**
 * Every kernel set: each operator test runs on all of them. The wasm set
 * with and without relaxed SIMD, and the native set on each instruction set
 * this CPU runs (an AVX-512 host tests the AVX2 kernels too).
 */
export const kernelRecipes: readonly KernelRecipe[] = [
  { set: 'portable' },
  { set: 'wasm', relaxedSimd: false },
  ...(relaxedSimdAvailable() ? [{ set: 'wasm', relaxedSimd: true } as const] : []),
  ...(native.isas ?? []).map((isa) => ({ set: 'native', isa }) as const),
];

export function kernelsOf(recipe: KernelRecipe): Kernels {
  if (recipe.set === 'native') return createNativeKernels({ isa: recipe.isa });
  return recipe.set === 'wasm' ? createWasmKernels({ relaxedSimd: recipe.relaxedSimd }) : portableKernels;
}

export const kernelsUnderTest: readonly Kernels[] = kernelRecipes.map(kernelsOf);
