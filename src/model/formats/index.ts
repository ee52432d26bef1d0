/**
 * lstmp's files: checkpoints, gradient files and the named tensors they share, run logs (metrics.jsonl, summary.json, recognition lines).
 *
 * @module
 */
export * from './checkpoint.js';
export * from './gradients.js';
export * from './metrics-line.js';
export * from './recognition-line.js';
export * from './run-summary.js';
export * from './tensors.js';
