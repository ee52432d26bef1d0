/**
 * What a corpus is: its manifest, frame alignments, phones (ARPAbet), HMM states, lexicon, and Kaldi data directories.
 *
 * @module
 */
export * from './alignment.js';
export * from './kaldi-data.js';
export * from './lexicon.js';
export * from './manifest.js';
export * from './phones.js';
export * from './states.js';
