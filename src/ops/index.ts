/**
 * Pure operators over typed arrays: the LSTMP forward pass and truncated BPTT, filterbank features, kernels, codecs of external bytes. No I/O.
 *
 * @module
 */
export * from './accuracy.js';
export * from './acoustic-scores.js';
export * from './activations.js';
export * from './chunked-forward.js';
export * from './cmvn.js';
export * from './edit-distance.js';
export * from './fbank.js';
export * from './fft.js';
export * from './gemm.js';
export * from './kernels.js';
export * from './little-endian.js';
export * from './lstm-cell.js';
export * from './lstmp.js';
export * from './mel.js';
export * from './noise.js';
export * from './npy.js';
export * from './random.js';
export * from './resample.js';
export * from './sgd.js';
export * from './silence.js';
export * from './softmax.js';
export * from './viterbi.js';
export * from './wasm-kernels.js';
export * from './wav.js';
export * from './window.js';
