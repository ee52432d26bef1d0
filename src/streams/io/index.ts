/**
 * Files: whole reads with one-line errors, atomic writes, checkpoints, .npy arrays, run directories, and audio bytes as they arrive.
 *
 * @module
 */
export * from './checkpoint-file.js';
export * from './files.js';
export * from './npy-file.js';
export * from './run-dir.js';
export * from './audio-blocks.js';
