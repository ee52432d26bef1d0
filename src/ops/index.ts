/**
 * Pure operators over typed arrays: the LSTMP network (nn), the kernels it
 * runs on, signal processing (dsp), search, and codecs of external bytes.
 * No I/O, no RxJS, no clocks.
 *
 * @module
 */
export * from './augment/index.js';
export * from './codecs/index.js';
export * from './compression/index.js';
export * from './dsp/index.js';
export * from './kernels/index.js';
export * from './nn/index.js';
export * from './search/index.js';
export * from './median.js';
export * from './random.js';
