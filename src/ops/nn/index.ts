/**
 * The LSTMP network as pure operators: the forward pass and truncated BPTT over a chunk, activations, cross entropy, frame accuracy, local SGD's deltas.
 *
 * @module
 */
export * from './accuracy.js';
export * from './activations.js';
export * from './chunk-flops.js';
export * from './chunked-forward.js';
export * from './cross-entropy.js';
export * from './local-sgd.js';
export * from './lstmp.js';
