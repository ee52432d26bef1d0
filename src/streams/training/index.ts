/**
 * Training runs: Hogwild threads on one machine, their protocol and shared parameters, evaluation, metrics, benchmarks, chunk traces.
 *
 * @module
 */
export * from './bench.js';
export * from './chunk-trace.js';
export * from './evaluate.js';
export * from './metrics.js';
export * from './shared-parameters.js';
export * from './thread-protocol.js';
export * from './train.js';
