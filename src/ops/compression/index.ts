/**
 * Gradients made small for the network: bfloat16, 1-bit quantization and
 * top-k sparsification, each with error feedback.
 *
 * @module
 */
export * from './bfloat16.js';
export * from './compression.js';
export * from './one-bit.js';
export * from './top-k.js';
