/**
 * How SynthDigits is planned and labelled: utterance plans (speaker, words, rate, noise) and phone segments from the synthesizer.
 *
 * @module
 */
export * from './phone-segments.js';
export * from './synth-plan.js';
