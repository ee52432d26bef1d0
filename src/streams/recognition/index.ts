/**
 * Speech recognition with a trained model: the recognizer, the recognize stage, a corpus split on threads, word errors, and live recognition of audio as it arrives.
 *
 * @module
 */
export * from './corpus-decoding-model.js';
export * from './recognize-corpus.js';
export * from './recognize.js';
export * from './recognizer.js';
export * from './word-errors.js';
export * from './feature-stream.js';
export * from './live-recognition.js';
export * from './recognize-stream.js';
