/**
 * Worker threads: one way to start them, run their entry scripts, and carry their errors back.
 *
 * @module
 */
export * from './thread.js';
