import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addErrorCounts, editAlignment, errorsOf, NO_ERRORS, sentenceErrorRate, wordErrorRate } from '../../../src/ops/search/edit-distance.js';

const words = fc.array(fc.constantFrom('oh', 'one', 'two', 'three'), { maxLength: 8 });

/** Levenshtein distance by plain recursion with memo: the reference. */
function distance(a: readonly string[], b: readonly string[]): number {
  const memo = new Map<string, number>();
  const d = (i: number, j: number): number => {
    if (i === 0) return j;
    if (j === 0) return i;
    const k = `${i},${j}`;
    if (!memo.has(k)) memo.set(k, Math.min(d(i - 1, j) + 1, d(i, j - 1) + 1, d(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1)));
    return memo.get(k) as number;
  };
  return d(a.length, b.length);
}

describe('editAlignment', () => {
  it('counts the Levenshtein distance', () => {
    fc.assert(
      fc.property(words, words, (ref, hyp) => {
        expect(errorsOf(editAlignment(ref, hyp).counts)).toBe(distance(ref, hyp));
      }),
    );
  });

  it('is 0 exactly for equal sequences, symmetric, and bounded by the longer length', () => {
    fc.assert(
      fc.property(words, words, (a, b) => {
        const ab = errorsOf(editAlignment(a, b).counts);
        expect(ab === 0).toBe(a.join(' ') === b.join(' '));
        expect(errorsOf(editAlignment(b, a).counts)).toBe(ab);
        expect(ab).toBeLessThanOrEqual(Math.max(a.length, b.length));
      }),
    );
  });

  it('returns an alignment whose steps walk both sequences and add up to the counts', () => {
    fc.assert(
      fc.property(words, words, (ref, hyp) => {
        const { pairs, counts } = editAlignment(ref, hyp);
        expect(counts.words).toBe(ref.length);
        expect(counts.substitutions + counts.deletions + counts.correct).toBe(ref.length);
        expect(counts.substitutions + counts.insertions + counts.correct).toBe(hyp.length);
        expect(pairs.filter((p) => p.reference >= 0).map((p) => p.reference)).toEqual(ref.map((_, i) => i));
        expect(pairs.filter((p) => p.hypothesis >= 0).map((p) => p.hypothesis)).toEqual(hyp.map((_, i) => i));
        for (const p of pairs) {
          const expected = p.reference < 0 ? 'insertion' : p.hypothesis < 0 ? 'deletion' : ref[p.reference] === hyp[p.hypothesis] ? 'correct' : 'substitution';
          expect(p.operation).toBe(expected);
        }
        for (const op of ['substitution', 'deletion', 'insertion'] as const) {
          expect(pairs.filter((p) => p.operation === op).length).toBe(counts[`${op}s`]);
        }
        expect(counts.sentenceErrors).toBe(errorsOf(counts) > 0 ? 1 : 0);
      }),
    );
  });

  it('aligns a known example', () => {
    const { pairs, counts } = editAlignment(['one', 'two', 'three', 'four'], ['one', 'too', 'three', 'four', 'five']);
    expect(counts).toMatchObject({ correct: 3, substitutions: 1, deletions: 0, insertions: 1 });
    expect(pairs.map((p) => p.operation)).toEqual(['correct', 'substitution', 'correct', 'correct', 'insertion']);
  });
});

describe('corpus rates', () => {
  it('sum counts over utterances', () => {
    const total = [
      editAlignment(['a', 'b'], ['a', 'b']),
      editAlignment(['a', 'b', 'c'], ['a']),
      editAlignment(['c'], ['c', 'c', 'c']),
    ].reduce((sum, a) => addErrorCounts(sum, a.counts), NO_ERRORS);
    expect(total).toEqual({ words: 6, correct: 4, substitutions: 0, deletions: 2, insertions: 2, sentences: 3, sentenceErrors: 2 });
    expect(wordErrorRate(total)).toBeCloseTo(4 / 6, 12);
    expect(sentenceErrorRate(total)).toBeCloseTo(2 / 3, 12);
    expect(wordErrorRate(NO_ERRORS)).toBe(0);
    expect(sentenceErrorRate(NO_ERRORS)).toBe(0);
  });
});
