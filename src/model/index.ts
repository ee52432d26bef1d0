/**
 * What a network and a corpus are: configurations, parameter layouts, checkpoints, codecs for lstmp's files, HMM topology, lexicon.
 *
 * @module
 */
export * from './alignment.js';
export * from './bigram.js';
export * from './checkpoint.js';
export * from './config.js';
export * from './decode-line.js';
export * from './decoding-model.js';
export * from './errors.js';
export * from './gradients.js';
export * from './graph.js';
export * from './init.js';
export * from './kaldi-data.js';
export * from './layout.js';
export * from './lexicon.js';
export * from './manifest.js';
export * from './metrics-line.js';
export * from './network.js';
export * from './optional-silence.js';
export * from './phone-segments.js';
export * from './priors.js';
export * from './run-summary.js';
export * from './schedule.js';
export * from './states.js';
export * from './synth-plan.js';
export * from './tensors.js';
export * from './transitions.js';
