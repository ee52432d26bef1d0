/**
 * The training pipeline as RxJS stages (corpus → features → delayTargets → chunk → bptt → sgd), evaluation, Hogwild training, file I/O.
 *
 * @module
 */
export * from './bptt.js';
export * from './carried-state.js';
export * from './checkpoint-file.js';
export * from './chunk-trace.js';
export * from './chunk.js';
export * from './corpus.js';
export * from './decode-corpus.js';
export * from './decode.js';
export * from './decoding-model.js';
export * from './delay-targets.js';
export * from './espeak.js';
export * from './evaluate.js';
export * from './features.js';
export * from './files.js';
export * from './find-utterance.js';
export * from './frame-clock.js';
export * from './kaldi-import.js';
export * from './metrics.js';
export * from './npy-file.js';
export * from './recognizer.js';
export * from './run-dir.js';
export * from './score.js';
export * from './sgd.js';
export * from './synth-utterance.js';
export * from './synth.js';
export * from './train.js';
export * from './utterance.js';
