/**
 * What augmentation is: a plan (which augmentations, how often, over which
 * ranges), the draw of one utterance's augmentation from (seed, utterance,
 * epoch), and the fixed conditions robustness is measured in.
 *
 * @module
 */
export * from './conditions.js';
export * from './draw.js';
export * from './plan.js';
