/**
 * The kernels operators run on, chosen by one switch: the interface, the checks every set runs, the portable TypeScript reference, the WebAssembly SIMD set and the native (AVX2 / AVX-512) set.
 *
 * @module
 */
export * from './portable/portable-kernels.js';
export * from './wasm/wasm-kernels.js';
export * from './native/native-kernels.js';
export * from './checks.js';
export * from './choice.js';
export * from './copy.js';
export * from './kernels.js';
