import * as E from 'fp-ts/lib/Either.js';
import { mixSeed, mulberry32 } from '../../ops/random.js';
import { pronunciationsByWord, type Lexicon } from './lexicon.js';
import { SILENCE, STATES_PER_PHONE, phoneIndices, stateId, type StateInventory } from './states.js';

/**
 * A flat start's alignment (Senior, Heigold, Bacchiani & Liao, ICASSP 2014):
 * the states of the transcript — silence, a pronunciation of each word,
 * silence — spread evenly over the utterance's frames, state i taking frames
 * [⌊i·T/N⌋, ⌊(i+1)·T/N⌋). Training on it, then realigning with the trained
 * network, replaces a GMM system's alignments. A word's pronunciation is
 * drawn from its variants by `seed` (an utterance's, say) and the word's
 * position: always taking the first would leave the phones only other
 * variants use without a frame to learn from, and realignment never picks a
 * variant whose phones the model has not learnt. Refused, in words: a word
 * the lexicon lacks, a phone without states, fewer frames than states.
 *
 * @example uniformAlignment(['two', 'oh'], lexicon, inventory, 120, hashString('utt-1'))
 */
export function uniformAlignment(words: readonly string[], lexicon: Lexicon, inventory: StateInventory, frames: number, seed = 0): E.Either<string, Int32Array> {
  const byWord = pronunciationsByWord(lexicon);
  const phoneIndex = phoneIndices(inventory);
  const unknown = words.filter((word) => !byWord.has(word));
  if (unknown.length > 0) return E.left(`not in the lexicon: ${[...new Set(unknown)].map((w) => `"${w}"`).join(', ')}`);
  const spoken = words.map((word, position) => {
    const variants = byWord.get(word) as readonly (readonly string[])[];
    return variants[Math.floor(mulberry32(mixSeed(seed, position))() * variants.length)];
  });
  const phones = [SILENCE, ...spoken.flat(), SILENCE];
  const missing = phones.find((phone) => !phoneIndex.has(phone));
  if (missing !== undefined) return E.left(`the phone "${missing}" has no states`);
  const states = phones.flatMap((phone) => Array.from({ length: STATES_PER_PHONE }, (_, k) => stateId(phoneIndex.get(phone) as number, k)));
  if (frames < states.length) return E.left(`${frames} frames are too few for its transcript's ${states.length} states`);
  const alignment = new Int32Array(frames);
  states.forEach((state, i) => alignment.fill(state, Math.floor((i * frames) / states.length), Math.floor(((i + 1) * frames) / states.length)));
  return E.right(alignment);
}
