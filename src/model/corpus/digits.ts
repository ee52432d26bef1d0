import * as E from 'fp-ts/lib/Either.js';
import { lexicon, type Lexicon } from './lexicon.js';
import { isArpabet } from './phones.js';
import { SILENCE } from './states.js';

/** The words of SynthDigits, as in TIDIGITS: "oh" and "zero" are both 0. */
export const DIGIT_WORDS = ['zero', 'oh', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'] as const;

/**
 * lstmp's built-in lexicon for digit strings: CMUdict's pronunciations of
 * the digit words, stress dropped (without CMUdict's rare "hh w ah n", whose
 * states no synthesizer would ever train).
 */
export const DIGIT_LEXICON: Lexicon = lexicon(
  [
    ['zero', 'z ih r ow'], ['zero', 'z iy r ow'], ['oh', 'ow'], ['one', 'w ah n'], ['two', 't uw'], ['three', 'th r iy'],
    ['four', 'f ao r'], ['five', 'f ay v'], ['six', 's ih k s'], ['seven', 's eh v ah n'], ['eight', 'ey t'], ['nine', 'n ay n'],
  ].map(([word, phones]) => ({ word, phones: phones.split(' ') })),
);

/** The phones of digit strings: silence and those of {@link DIGIT_LEXICON}. Every SynthDigits corpus has exactly these, so their states are the same. */
export const DIGIT_PHONES: readonly string[] = [SILENCE, ...[...new Set(DIGIT_LEXICON.flatMap((p) => p.phones))].sort()];

const DIGIT_PHONE_SET: ReadonlySet<string> = new Set(DIGIT_PHONES);

/**
 * The nearest digit phone to each ARPAbet phone that is not one: what an
 * accent or a synthesizer says in a digit word folds into the inventory
 * (RP's "one" with ʊ → ah; a "five" with ɔɪ → ay; a flapped or dropped
 * consonant's neighbour), vowels to vowels and consonants to consonants of
 * the same manner.
 */
const NEAREST: Readonly<Record<string, string>> = {
  aa: 'ah', ae: 'eh', aw: 'ow', oy: 'ay', uh: 'ah', er: 'r', y: 'iy',
  b: 'v', p: 'f', d: 't', g: 'k', dh: 'th', sh: 's', zh: 'z', ch: 's', jh: 'z', hh: 'f', l: 'r', m: 'n', ng: 'n',
};

/**
 * An ARPAbet phone (or silence) as the digit inventory's phone: itself, or
 * its nearest neighbour there.
 *
 * @example digitPhone('uh') // Right('ah')
 */
export function digitPhone(phone: string): E.Either<string, string> {
  if (DIGIT_PHONE_SET.has(phone)) return E.right(phone);
  if (!isArpabet(phone)) return E.left(`"${phone}" is not an ARPAbet phone`);
  const near = NEAREST[phone];
  return near ? E.right(near) : E.left(`no digit phone near "${phone}"`);
}
