/**
 * The slice of the WebAssembly JavaScript API lstmp uses (the wasm kernels, flite under WASI). It is
 * typed here because @types/node 20 does not declare `WebAssembly` (lib.dom
 * does, but a Node library should not pull in DOM types). The real objects
 * satisfy these interfaces, so callers pass a `WebAssembly.Memory` as is.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  /** Adds `pages` pages of 64 KiB; returns the old size in pages. */
  grow(pages: number): number;
}

interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { readonly exports: object };
  /** Compiles without blocking the thread (large modules: a synthesizer's 21 MB). */
  compile: (bytes: Uint8Array) => Promise<object>;
}

export const webAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/**
 * Whether a memory is shared. A page that is not cross-origin isolated has
 * no SharedArrayBuffer at all (and then no shared memory), so the name is
 * looked up, not assumed.
 */
export function isShared(memory: WasmMemory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}
