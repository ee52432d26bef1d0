/**
 * Search over scores: the Viterbi beam search of hybrid decoding, acoustic scaling of posteriors, and edit distance for word error rates.
 *
 * @module
 */
export * from './acoustic-scores.js';
export * from './edit-distance.js';
export * from './viterbi.js';
