/**
 * What things are: a network, its files, a corpus and how SynthDigits is
 * planned, what decoding needs, what the parameter server exchanges. io-ts
 * codecs for everything read from outside.
 *
 * @module
 */
export * from './cluster/index.js';
export * from './corpus/index.js';
export * from './decoding/index.js';
export * from './formats/index.js';
export * from './network/index.js';
export * from './synthesis/index.js';
export * from './augmentation/index.js';
export * from './codec.js';
