/**
 * Bytes from outside, decoded and encoded: WAV audio, NumPy .npy arrays, little-endian numbers.
 *
 * @module
 */
export * from './little-endian.js';
export * from './npy.js';
export * from './wav.js';
