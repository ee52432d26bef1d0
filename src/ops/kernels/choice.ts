import { type Kernels } from './kernels.js';
import { createWasmKernels, type WasmKernels } from './wasm/wasm-kernels.js';
import type { WasmMemory } from './wasm/webassembly.js';
import { portableKernels } from './portable/portable-kernels.js';

/** The kernel sets lstmp has: the switch that picks one. */
export const KERNEL_NAMES = ['wasm', 'portable'] as const;
export type KernelName = (typeof KERNEL_NAMES)[number];

/**
 * The kernels called `name`: WebAssembly SIMD (working in `memory` when
 * given, so threads can share one parameter buffer) or portable TypeScript.
 */
export function kernelsNamed(name: KernelName, memory?: WasmMemory): Kernels & Partial<Pick<WasmKernels, 'memory' | 'view'>> {
  return name === 'wasm' ? createWasmKernels(memory ? { memory } : {}) : portableKernels;
}
