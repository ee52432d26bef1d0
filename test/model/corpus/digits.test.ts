import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DIGIT_LEXICON, DIGIT_PHONES, DIGIT_WORDS, digitPhone } from '../../../src/model/corpus/digits.js';
import { ARPABET } from '../../../src/model/corpus/phones.js';

describe('the digit lexicon', () => {
  it('says every digit word, in ARPAbet, and its phones are the digit inventory, silence first', () => {
    expect(new Set(DIGIT_LEXICON.map((p) => p.word))).toEqual(new Set(DIGIT_WORDS));
    expect(DIGIT_PHONES[0]).toBe('sil');
    expect(DIGIT_PHONES.slice(1)).toEqual([...new Set(DIGIT_LEXICON.flatMap((p) => p.phones))].sort());
    expect(DIGIT_PHONES).toHaveLength(20);
  });

  it('folds every ARPAbet phone into the inventory, vowels to vowels', () => {
    const vowels = new Set(['aa', 'ae', 'ah', 'ao', 'aw', 'ay', 'eh', 'er', 'ey', 'ih', 'iy', 'ow', 'oy', 'uh', 'uw']);
    fc.assert(
      fc.property(fc.constantFrom(...ARPABET, 'sil'), (phone) => {
        const folded = digitPhone(phone);
        expect(E.isRight(folded)).toBe(true);
        if (E.isRight(folded)) {
          expect(DIGIT_PHONES).toContain(folded.right);
          if (DIGIT_PHONES.includes(phone)) expect(folded.right).toBe(phone);
          if (vowels.has(phone) && phone !== 'er') expect(vowels.has(folded.right)).toBe(true);
        }
      }),
    );
    expect(E.isLeft(digitPhone('xx'))).toBe(true);
  });
});
