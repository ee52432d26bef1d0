import { meanPower } from '../dsp/noise.js';

/** One talker of a babble: whose audio, from which sample on, how loud relative to the others. */
export interface Talker {
  readonly source: Float32Array;
  readonly offset: number;
  readonly gain: number;
}

/**
 * Babble noise of `length` samples: the talkers' audio summed, each from its
 * offset and wrapping around its end (so a short utterance still fills the
 * noise), each scaled to unit power before its gain. Silent sources add
 * nothing.
 *
 * @example mixAtSnr(speech, babble(speech.length, talkers), 10, meanPower(speech))
 */
export function babble(length: number, talkers: readonly Talker[]): Float32Array {
  const out = new Float32Array(length);
  for (const { source, offset, gain } of talkers) {
    if (source.length === 0) continue;
    const power = meanPower(source);
    if (!(power > 0)) continue;
    const scale = gain / Math.sqrt(power);
    const start = ((offset % source.length) + source.length) % source.length;
    for (let i = 0, j = start; i < length; i++, j = j + 1 === source.length ? 0 : j + 1) out[i] += scale * source[j];
  }
  return out;
}
