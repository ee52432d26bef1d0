import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addSentence, bigramProbability, emptyBigramCounts, estimateBigram, SENTENCE_START } from '../../../src/model/decoding/bigram.js';

const corpus = fc.integer({ min: 1, max: 5 }).chain((V) =>
  fc.record({
    V: fc.constant(V),
    sentences: fc.array(fc.array(fc.integer({ min: 0, max: V - 1 }), { maxLength: 6 }), { maxLength: 12 }),
    discount: fc.double({ min: 0, max: 0.99, noNaN: true }),
  }),
);

describe('estimateBigram', () => {
  it('gives every history a distribution over the words and </s> that sums to 1', () => {
    fc.assert(
      fc.property(corpus, ({ V, sentences, discount }) => {
        const counts = emptyBigramCounts(V);
        for (const s of sentences) addSentence(counts, s);
        const bigram = estimateBigram(Array.from({ length: V }, (_, i) => `w${i}`), counts, discount);
        for (let h = 0; h <= V; h++) {
          let sum = 0;
          for (let w = 0; w <= V; w++) sum += bigramProbability(bigram, h, w);
          expect(sum).toBeCloseTo(1, 5);
        }
        expect(bigram.unigram.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      }),
    );
  });

  it('matches hand-computed absolute discounting', () => {
    // Sentences "a b", "a": pairs (<s>,a)×2, (a,b), (a,</s>), (b,</s>); tokens a:2, b:1, </s>:2.
    const counts = emptyBigramCounts(2);
    addSentence(counts, [0, 1]);
    addSentence(counts, [0]);
    const bigram = estimateBigram(['a', 'b'], counts, 0.5);
    const unigram = [3 / 8, 2 / 8, 3 / 8];
    unigram.forEach((p, w) => expect(bigram.unigram[w]).toBeCloseTo(p, 7));
    // after <s>: c = 2, one type: α = 0.25
    expect(bigramProbability(bigram, SENTENCE_START, 0)).toBeCloseTo(1.5 / 2 + 0.25 * unigram[0], 7);
    expect(bigramProbability(bigram, SENTENCE_START, 1)).toBeCloseTo(0.25 * unigram[1], 7);
    // after a: c = 2, two types: α = 0.5
    expect(bigramProbability(bigram, 1, 1)).toBeCloseTo(0.5 / 2 + 0.5 * unigram[1], 7);
    expect(bigramProbability(bigram, 1, 0)).toBeCloseTo(0.5 * unigram[0], 7);
    expect(Array.from(bigram.history)).toEqual([0, 1, 1, 2]);
    expect(Array.from(bigram.next)).toEqual([0, 1, 2, 2]);
  });

  it('gives a history never seen the unigram', () => {
    const counts = emptyBigramCounts(3);
    addSentence(counts, [0]);
    const bigram = estimateBigram(['a', 'b', 'c'], counts);
    for (let w = 0; w <= 3; w++) expect(bigramProbability(bigram, 3, w)).toBeCloseTo(bigram.unigram[w], 7);
  });

  it('refuses a word index outside the vocabulary and a bad discount', () => {
    expect(() => addSentence(emptyBigramCounts(2), [2])).toThrow(RangeError);
    expect(() => estimateBigram(['a'], emptyBigramCounts(1), 1)).toThrow(RangeError);
  });
});
