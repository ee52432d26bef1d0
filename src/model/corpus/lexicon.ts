import * as E from 'fp-ts/lib/Either.js';
import { isPhoneName } from './states.js';

/** One way to say a word: its phones in order. */
export interface Pronunciation {
  readonly word: string;
  readonly phones: readonly string[];
}

/**
 * Every pronunciation of every word, Kaldi's lexicon.txt: sorted by word, then
 * by phones, with no repeats. A word may have several pronunciations.
 */
export type Lexicon = readonly Pronunciation[];

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const line = (p: Pronunciation): string => [p.word, ...p.phones].join(' ');

/**
 * The lexicon of `pronunciations`, in any order and with repeats: sorted and
 * deduplicated.
 *
 * @example lexicon([{ word: 'oh', phones: ['oʊ'] }, { word: 'oh', phones: ['oʊ'] }]) // one entry
 */
export function lexicon(pronunciations: Iterable<Pronunciation>): Lexicon {
  const unique = new Map<string, Pronunciation>();
  for (const p of pronunciations) {
    if (!isPhoneName(p.word) || p.phones.length === 0 || !p.phones.every(isPhoneName)) {
      throw new RangeError(`not a pronunciation: ${JSON.stringify(p)}`);
    }
    unique.set(line(p), { word: p.word, phones: [...p.phones] });
  }
  return [...unique.values()].sort((a, b) => compare(a.word, b.word) || compare(line(a), line(b)));
}

/** lexicon.txt: `word phone phone …`, one pronunciation per line. */
export function formatLexicon(entries: Lexicon): string {
  return entries.map((p) => `${line(p)}\n`).join('');
}

/**
 * Reads lexicon.txt (words and phones separated by spaces or tabs; blank lines
 * skipped). A line without phones is refused, naming its line number.
 */
export function parseLexicon(text: string): E.Either<string, Lexicon> {
  const entries: Pronunciation[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const fields = lines[i].trim().split(/\s+/);
    if (fields[0] === '') continue;
    if (fields.length < 2) return E.left(`line ${i + 1}: the word "${fields[0]}" has no phones`);
    entries.push({ word: fields[0], phones: fields.slice(1) });
  }
  return E.right(lexicon(entries));
}

/** Word → its pronunciations (phone lists), for lookups. */
export function pronunciationsByWord(entries: Lexicon): ReadonlyMap<string, readonly (readonly string[])[]> {
  const byWord = new Map<string, (readonly string[])[]>();
  for (const p of entries) {
    const list = byWord.get(p.word);
    if (list) list.push(p.phones);
    else byWord.set(p.word, [p.phones]);
  }
  return byWord;
}
