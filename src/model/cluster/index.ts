/**
 * What the parameter server exchanges and keeps: shard messages, shard state, how the parameter vector is cut into shards, process log lines.
 *
 * @module
 */
export * from './compression.js';
export * from './shard-line.js';
export * from './shard-messages.js';
export * from './shard-state.js';
export * from './staleness.js';
export * from './shards.js';
export * from './worker-line.js';
