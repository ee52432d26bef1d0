/**
 * The training pipeline as RxJS stages: waveforms, augment, features, delayTargets, chunk, bptt, sgd (and pushDeltas) or pushGradients, score; what flows between them.
 *
 * @module
 */
export * from './augment.js';
export * from './bptt.js';
export * from './carried-state.js';
export * from './chunk.js';
export * from './delay-targets.js';
export * from './features.js';
export * from './frame-clock.js';
export * from './operate.js';
export * from './push-deltas.js';
export * from './push-gradients.js';
export * from './score.js';
export * from './sgd.js';
export * from './utterance.js';
export * from './waveforms.js';
