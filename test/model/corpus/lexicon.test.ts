import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { formatLexicon, lexicon, parseLexicon, pronunciationsByWord, type Pronunciation } from '../../../src/model/corpus/lexicon.js';

const token = fc.stringMatching(/^[a-zəɪʊː]{1,4}$/);
const pronunciation: fc.Arbitrary<Pronunciation> = fc.record({ word: token, phones: fc.array(token, { minLength: 1, maxLength: 5 }) });

describe('lexicon', () => {
  it('sorts by word then phones and drops repeats', () => {
    const entries = lexicon([
      { word: 'oh', phones: ['əʊ'] },
      { word: 'eight', phones: ['eː', 't'] },
      { word: 'oh', phones: ['oʊ'] },
      { word: 'eight', phones: ['eɪ', 't'] },
      { word: 'oh', phones: ['əʊ'] },
    ]);
    expect(formatLexicon(entries)).toBe('eight eɪ t\neight eː t\noh oʊ\noh əʊ\n');
    expect(pronunciationsByWord(entries).get('oh')).toEqual([['oʊ'], ['əʊ']]);
  });

  it('round-trips through formatLexicon and parseLexicon, whatever the order given', () => {
    fc.assert(
      fc.property(fc.array(pronunciation, { maxLength: 20 }), (list) => {
        const entries = lexicon(list);
        expect(parseLexicon(formatLexicon(entries))).toEqual(E.right(entries));
        expect(lexicon([...list].reverse())).toEqual(entries);
        expect(new Set(entries.map((p) => `${p.word} ${p.phones.join(' ')}`))).toEqual(new Set(list.map((p) => `${p.word} ${p.phones.join(' ')}`)));
      }),
    );
  });

  it('reads tabs and blank lines, and names a line without phones', () => {
    expect(parseLexicon('one\tw ʌ n\n\n  two t uː\n')).toEqual(E.right([{ word: 'one', phones: ['w', 'ʌ', 'n'] }, { word: 'two', phones: ['t', 'uː'] }]));
    expect(parseLexicon('one w ʌ n\nseven\n')).toEqual(E.left('line 2: the word "seven" has no phones'));
  });

  it('refuses a pronunciation without phones', () => {
    expect(() => lexicon([{ word: 'x', phones: [] }])).toThrow(RangeError);
  });
});
