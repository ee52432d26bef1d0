/**
 * Corpora as streams: reading a corpus split, synthesising SynthDigits with eSpeak NG, importing Kaldi data directories.
 *
 * @module
 */
export * from './corpus.js';
export * from './espeak.js';
export * from './find-utterance.js';
export * from './kaldi-import.js';
export * from './synth-utterance.js';
export * from './synth.js';
