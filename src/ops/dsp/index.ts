/**
 * Signal processing: Kaldi-compatible log mel filterbanks (FFT, windows, mel banks), resampling, feature normalisation, noise and silence.
 *
 * @module
 */
export * from './cmvn.js';
export * from './fbank.js';
export * from './fft.js';
export * from './mel.js';
export * from './noise.js';
export * from './resample.js';
export * from './silence.js';
export * from './window.js';
export * from './speech-span.js';
