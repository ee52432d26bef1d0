/**
 * Everything that moves: the training pipeline as RxJS stages, training runs
 * on threads and across processes, recognition, corpora as streams, files.
 *
 * @module
 */
export * from './cluster/index.js';
export * from './corpora/index.js';
export * from './io/index.js';
export * from './pipeline/index.js';
export * from './recognition/index.js';
export * from './threads/index.js';
export * from './training/index.js';
