import * as E from 'fp-ts/lib/Either.js';
import type { FrameSpan } from '../../ops/dsp/speech-span.js';
import { mixSeed, mulberry32 } from '../../ops/random.js';
import { pronunciationsByWord, type Lexicon } from './lexicon.js';
import { SILENCE, STATES_PER_PHONE, phoneIndices, stateId, type StateInventory } from './states.js';

/**
 * A flat start's alignment (Senior, Heigold, Bacchiani & Liao, ICASSP 2014):
 * the states of the transcript — silence, a pronunciation of each word,
 * silence; silence alone for no words — spread evenly over the utterance's frames, state i taking frames
 * [⌊i·T/N⌋, ⌊(i+1)·T/N⌋). Training on it, then realigning with the trained
 * network, replaces a GMM system's alignments. A word's pronunciation is
 * drawn from its variants by `seed` (an utterance's, say) and the word's
 * position: always taking the first would leave the phones only other
 * variants use without a frame to learn from, and realignment never picks a
 * variant whose phones the model has not learnt; where the drawn ones need
 * more frames than there are, the shortest are taken. Refused, in words: a word
 * the lexicon lacks, a phone without states, fewer frames than states.
 *
 * With `speech` (where the audio's energy says the words are, speechSpan),
 * the leading silence's states share the frames before it, the trailing
 * silence's those after it, and the words' states the frames within:
 * recordings open and close on stretches of silence much longer than a
 * phone, which an even spread would give to the first and last words. A
 * span that leaves a silence fewer than its 3 frames, or the words fewer
 * than theirs, is moved to fit.
 *
 * @example uniformAlignment(['two', 'oh'], lexicon, inventory, 120, hashString('utt-1'), { start: 30, end: 95 })
 */
export function uniformAlignment(words: readonly string[], lexicon: Lexicon, inventory: StateInventory, frames: number, seed = 0, speech?: FrameSpan): E.Either<string, Int32Array> {
  const byWord = pronunciationsByWord(lexicon);
  const phoneIndex = phoneIndices(inventory);
  const unknown = words.filter((word) => !byWord.has(word));
  if (unknown.length > 0) return E.left(`not in the lexicon: ${[...new Set(unknown)].map((w) => `"${w}"`).join(', ')}`);
  const drawn = words.map((word, position) => {
    const variants = byWord.get(word) as readonly (readonly string[])[];
    return variants[Math.floor(mulberry32(mixSeed(seed, position))() * variants.length)];
  });
  // Where the drawn pronunciations need more frames than there are, the shortest may still fit.
  const shortest = words.map((word) => (byWord.get(word) as readonly (readonly string[])[]).reduce((a, b) => (b.length < a.length ? b : a)));
  const phonesOf = (spoken: readonly (readonly string[])[]) => (spoken.length === 0 ? [SILENCE] : [SILENCE, ...spoken.flat(), SILENCE]);
  const phones = STATES_PER_PHONE * phonesOf(drawn).length <= frames ? phonesOf(drawn) : phonesOf(shortest);
  const missing = phones.find((phone) => !phoneIndex.has(phone));
  if (missing !== undefined) return E.left(`the phone "${missing}" has no states`);
  const states = phones.flatMap((phone) => Array.from({ length: STATES_PER_PHONE }, (_, k) => stateId(phoneIndex.get(phone) as number, k)));
  if (frames < states.length) return E.left(`${frames} frames are too few for its transcript's ${states.length} states`);
  const alignment = new Int32Array(frames);
  const silence = STATES_PER_PHONE;
  const wordStates = states.length - 2 * silence;
  if (speech === undefined || words.length === 0) {
    spread(alignment, states, 0, frames);
  } else {
    // Moved to fit: at least a silence's states before and after, the words' within (frames ≥ states guarantees room).
    const start = Math.min(Math.max(speech.start, silence), frames - silence - wordStates);
    const end = Math.max(Math.min(speech.end, frames - silence), start + wordStates);
    spread(alignment, states.slice(0, silence), 0, start);
    spread(alignment, states.slice(silence, silence + wordStates), start, end);
    spread(alignment, states.slice(silence + wordStates), end, frames);
  }
  return E.right(alignment);
}

/** `states` spread evenly over frames [from, to) of `alignment`: state i takes [from + ⌊i·n/N⌋, from + ⌊(i+1)·n/N⌋). */
function spread(alignment: Int32Array, states: readonly number[], from: number, to: number): void {
  const n = to - from;
  states.forEach((state, i) => alignment.fill(state, from + Math.floor((i * n) / states.length), from + Math.floor(((i + 1) * n) / states.length)));
}
