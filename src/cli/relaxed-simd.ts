import { setFlagsFromString } from 'node:v8';

/**
 * Node 20 has relaxed SIMD (fused multiply-adds in WebAssembly) only behind
 * a V8 flag; Node 22 ships it. The CLI sets the flag before any module
 * compiles, so the wasm kernels of every thread use it (V8's flags are the
 * process's, worker threads included); wasm/relaxed-simd.ts then finds it.
 */
export function enableRelaxedSimd(): void {
  if (Number(process.versions.node.split('.')[0]) < 22) setFlagsFromString('--experimental-wasm-relaxed-simd');
}
