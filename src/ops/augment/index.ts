/**
 * Augmentation as pure operators: speed perturbation and the labels that go
 * with it, the telephone channel, room reverberation, babble, SpecAugment's
 * masks. (Additive noise and gain are in dsp/noise.ts; the warp of vocal
 * tract length perturbation is an option of the filterbank.)
 *
 * @module
 */
export * from './babble.js';
export * from './masks.js';
export * from './reverb.js';
export * from './speed.js';
export * from './telephone.js';
