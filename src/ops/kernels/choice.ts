import { type Kernels } from './kernels.js';
import { createNativeKernels, nativeIsas } from './native/native-kernels.js';
import { createWasmKernels, type WasmKernels } from './wasm/wasm-kernels.js';
import type { WasmMemory } from './wasm/webassembly.js';
import { portableKernels } from './portable/portable-kernels.js';

/** The kernel sets lstmp has: the switch that picks one. */
export const KERNEL_NAMES = ['native', 'wasm', 'portable'] as const;
export type KernelName = (typeof KERNEL_NAMES)[number];

/** What `--kernels` takes: a set by name, or `auto` for native where it runs and wasm elsewhere. */
export const KERNEL_CHOICES = ['auto', ...KERNEL_NAMES] as const;
export type KernelChoice = (typeof KERNEL_CHOICES)[number];

/**
 * The kernels called `name`: native C (AVX2 / AVX-512) or WebAssembly SIMD,
 * both working in `memory` when given, so threads can share one parameter
 * buffer; or portable TypeScript. Native throws when its addon is not built
 * or this CPU cannot run it ({@link resolveKernels} says so beforehand).
 */
export function kernelsNamed(name: KernelName, memory?: WasmMemory): Kernels & Partial<Pick<WasmKernels, 'memory' | 'view'>> {
  const options = memory ? { memory } : {};
  if (name === 'native') return createNativeKernels(options);
  return name === 'wasm' ? createWasmKernels(options) : portableKernels;
}

/**
 * The set a choice means on this machine: `auto` is native when its addon
 * is built and this CPU runs it, else wasm with the reason native is not
 * there (`fallback`); `native` where it cannot run is `unavailable`, with
 * the reason. Named sets are themselves.
 */
export function resolveKernels(choice: KernelChoice): { readonly name: KernelName; readonly fallback?: string; readonly unavailable?: string } {
  if (choice !== 'auto' && choice !== 'native') return { name: choice };
  const native = nativeIsas();
  if (native.isas) return { name: 'native' };
  return choice === 'auto' ? { name: 'wasm', fallback: native.reason } : { name: 'native', unavailable: native.reason };
}
