/**
 * What a network is: its configuration, parameter layout and initialisation, presets, the learning-rate schedule, its identity.
 *
 * @module
 */
export * from './config.js';
export * from './identity.js';
export * from './init.js';
export * from './layout.js';
export * from './network.js';
export * from './presets.js';
export * from './schedule.js';
