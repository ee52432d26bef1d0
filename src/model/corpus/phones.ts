import * as E from 'fp-ts/lib/Either.js';
import { SILENCE } from './states.js';

/**
 * The phone set every lstmp corpus is labelled in: CMU's ARPAbet (39
 * phones, as CMUdict, flite and Sphinx use them), lower case and without
 * stress, with `sil` for silence. One phone set for every synthesizer and
 * every imported corpus means one state inventory, so a model trained on
 * one corpus recognises, aligns and keeps training on another.
 */
export const ARPABET = [
  'aa', 'ae', 'ah', 'ao', 'aw', 'ay', 'b', 'ch', 'd', 'dh', 'eh', 'er', 'ey', 'f', 'g', 'hh', 'ih', 'iy', 'jh', 'k',
  'l', 'm', 'n', 'ng', 'ow', 'oy', 'p', 'r', 's', 'sh', 't', 'th', 'uh', 'uw', 'v', 'w', 'y', 'z', 'zh',
] as const;

const ARPABET_SET: ReadonlySet<string> = new Set(ARPABET);

/**
 * eSpeak NG's English phonemes, as IPA with stress removed, in ARPAbet. The
 * accents' vowels fold into CMU's (RP's əʊ, Scottish oː and General
 * American oʊ are all `ow`); a rhotic vowel is two phones; a dental t is
 * `t`. Anything eSpeak says that is not here is reported, never guessed.
 */
const FROM_IPA: Readonly<Record<string, readonly string[]>> = {
  // vowels
  i: ['iy'], 'iː': ['iy'], 'ɪ': ['ih'], 'ᵻ': ['ih'], e: ['eh'], 'ɛ': ['eh'], 'ɛː': ['eh'], 'æ': ['ae'], a: ['ae'], 'aː': ['aa'],
  'ɑ': ['aa'], 'ɑː': ['aa'], 'ɒ': ['aa'], 'ɔ': ['ao'], 'ɔː': ['ao'], 'oə': ['ao'], 'ʊ': ['uh'], u: ['uw'], 'uː': ['uw'],
  'ʉ': ['uw'], 'ʉː': ['uw'], 'əu': ['uw'], 'ʌ': ['ah'], 'ə': ['ah'], 'ɐ': ['ah'], 'ɜ': ['er'], 'ɜː': ['er'], 'ɚ': ['er'],
  'ɝ': ['er'], 'ɜːɹ': ['er'], 'əɹ': ['er'],
  // diphthongs and long vowels of the accents
  'eɪ': ['ey'], ei: ['ey'], 'eː': ['ey'], 'aɪ': ['ay'], 'ɑɪ': ['ay'], 'ʌɪ': ['ay'], 'ɔɪ': ['oy'], 'oɪ': ['oy'], 'oʊ': ['ow'],
  'əʊ': ['ow'], 'oː': ['ow'], o: ['ow'], 'ʌʊ': ['ow'], 'ɔʊ': ['ow'], 'aʊ': ['aw'], 'ɑʊ': ['aw'], 'iə': ['ih'], 'ɪə': ['ih'],
  'eə': ['eh'], 'ɛə': ['eh'], 'ʊə': ['uh'],
  // rhotic vowels: the vowel, then r
  'ɔːɹ': ['ao', 'r'], 'ɔɹ': ['ao', 'r'], 'oːɹ': ['ao', 'r'], 'ɑːɹ': ['aa', 'r'], 'ɑɹ': ['aa', 'r'], 'ɪɹ': ['ih', 'r'],
  'ɪəɹ': ['ih', 'r'], 'iəɹ': ['ih', 'r'], 'ɛɹ': ['eh', 'r'], 'eəɹ': ['eh', 'r'], 'ʊɹ': ['uh', 'r'], 'ʊəɹ': ['uh', 'r'],
  'aɪɚ': ['ay', 'er'], 'aɪə': ['ay', 'ah'], 'aʊɚ': ['aw', 'er'], 'aʊə': ['aw', 'ah'],
  // consonants
  p: ['p'], b: ['b'], t: ['t'], 't̪': ['t'], 'ɾ': ['t'], 'ʔ': ['t'], d: ['d'], 'd̪': ['d'], k: ['k'], g: ['g'], 'ɡ': ['g'],
  f: ['f'], v: ['v'], 'θ': ['th'], 'ð': ['dh'], s: ['s'], z: ['z'], 'ʃ': ['sh'], 'ʒ': ['zh'], h: ['hh'], x: ['hh'],
  'tʃ': ['ch'], 'dʒ': ['jh'], m: ['m'], n: ['n'], 'n̩': ['n'], 'ŋ': ['ng'], l: ['l'], 'ɫ': ['l'], 'l̩': ['l'], r: ['r'],
  'ɹ': ['r'], 'ɻ': ['r'], j: ['y'], w: ['w'], 'ʍ': ['w'],
};

/** IPA's marks that never make a phone of their own here: length, syllabicity, aspiration, tie bars. */
const MARKS = /[ːˑ̩̯ʰ͡‿]/g;

/**
 * An eSpeak phoneme (IPA, stress removed) as ARPAbet phones, or why not: as
 * listed, else with length and other marks stripped.
 *
 * @example espeakPhones('ɔːɹ') // Right(['ao', 'r'])
 */
export function espeakPhones(ipa: string): E.Either<string, readonly string[]> {
  const found = FROM_IPA[ipa] ?? FROM_IPA[ipa.replace(MARKS, '')];
  return found ? E.right(found) : E.left(`no ARPAbet phone for eSpeak's phoneme "${ipa}"`);
}

/**
 * A flite phone as ARPAbet: flite speaks CMU's phones already, with `ax`
 * for the schwa (CMUdict writes AH) and `pau` for silence.
 *
 * @example flitePhones('ax') // Right(['ah'])
 */
export function flitePhones(phone: string): E.Either<string, readonly string[]> {
  if (phone === 'pau' || phone === 'h#' || phone === 'brth') return E.right([SILENCE]);
  if (phone === 'ax') return E.right(['ah']);
  return ARPABET_SET.has(phone) ? E.right([phone]) : E.left(`no ARPAbet phone for flite's phone "${phone}"`);
}

/**
 * A CMUdict phone (`AH0`, `T`) as lstmp's: lower case, stress digit dropped.
 *
 * @example cmudictPhone('OW1') // Right('ow')
 */
export function cmudictPhone(phone: string): E.Either<string, string> {
  const bare = phone.replace(/[012]$/, '').toLowerCase();
  return ARPABET_SET.has(bare) ? E.right(bare) : E.left(`"${phone}" is not an ARPAbet phone`);
}

/** True for lstmp's phones: ARPAbet and silence. */
export function isArpabet(phone: string): boolean {
  return phone === SILENCE || ARPABET_SET.has(phone);
}
