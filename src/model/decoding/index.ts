/**
 * What hybrid decoding needs besides the network: the decoding model (state counts, transitions, optional silence, a word bigram), priors, the decoding graph.
 *
 * @module
 */
export * from './bigram.js';
export * from './decoding-model.js';
export * from './graph.js';
export * from './optional-silence.js';
export * from './priors.js';
export * from './transitions.js';
