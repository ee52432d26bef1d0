import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ARPABET, cmudictPhone, espeakPhones, flitePhones, isArpabet } from '../../../src/model/corpus/phones.js';

describe('phones', () => {
  it("maps eSpeak's English phonemes to ARPAbet, rhotic vowels to two phones, marks stripped", () => {
    expect(espeakPhones('iː')).toEqual(E.right(['iy']));
    expect(espeakPhones('əʊ')).toEqual(E.right(['ow']));
    expect(espeakPhones('oʊ')).toEqual(E.right(['ow']));
    expect(espeakPhones('ɔːɹ')).toEqual(E.right(['ao', 'r']));
    expect(espeakPhones('t̪')).toEqual(E.right(['t']));
    expect(espeakPhones('θ')).toEqual(E.right(['th']));
    expect(espeakPhones('ʌʊ')).toEqual(E.right(['ow']));
    expect(E.isLeft(espeakPhones('ʘ'))).toBe(true);
  });

  it('reads flite and CMUdict phones', () => {
    expect(flitePhones('ax')).toEqual(E.right(['ah']));
    expect(flitePhones('pau')).toEqual(E.right(['sil']));
    expect(flitePhones('ow')).toEqual(E.right(['ow']));
    expect(E.isLeft(flitePhones('xx'))).toBe(true);
    expect(cmudictPhone('OW1')).toEqual(E.right('ow'));
    expect(cmudictPhone('T')).toEqual(E.right('t'));
    expect(E.isLeft(cmudictPhone('Q'))).toBe(true);
  });

  it('every mapping lands in ARPAbet', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ARPABET), (phone) => {
        expect(flitePhones(phone)).toEqual(E.right([phone]));
        expect(cmudictPhone(`${phone.toUpperCase()}1`)).toEqual(E.right(phone));
        expect(isArpabet(phone)).toBe(true);
      }),
    );
  });
});
