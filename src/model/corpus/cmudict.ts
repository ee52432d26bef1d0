import * as E from 'fp-ts/lib/Either.js';
import { lexicon, type Lexicon, type Pronunciation } from './lexicon.js';
import { cmudictPhone } from './phones.js';

/**
 * A pronunciation dictionary in CMUdict's format (Sphinx's
 * cmudict-en-us.dict, or CMU's own): `WORD  PH1 PH2 …` a line, alternatives
 * as `WORD(2)`, comments after `;;;` or `#`, blank lines skipped. Words are
 * kept in lower case, phones as lstmp's (ARPAbet, lower case, stress
 * dropped). Refused, naming the line: a word without phones, a phone that is
 * not ARPAbet.
 *
 * @example parseCmudict('ZERO  Z IH1 R OW0\nZERO(2)  Z IY1 R OW0\n')
 */
export function parseCmudict(text: string): E.Either<string, Lexicon> {
  const entries: Pronunciation[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/(;;;|#).*$/, '').trim();
    if (line === '') continue;
    const [head, ...phones] = line.split(/\s+/);
    const word = head.replace(/\(\d+\)$/, '').toLowerCase();
    if (phones.length === 0) return E.left(`line ${i + 1}: the word "${word}" has no phones`);
    const mapped: string[] = [];
    for (const phone of phones) {
      const arpabet = cmudictPhone(phone);
      if (E.isLeft(arpabet)) return E.left(`line ${i + 1}: ${arpabet.left}`);
      mapped.push(arpabet.right);
    }
    entries.push({ word, phones: mapped });
  }
  return E.right(lexicon(entries));
}
