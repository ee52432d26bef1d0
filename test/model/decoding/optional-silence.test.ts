import { describe, expect, it } from 'vitest';
import { countSilences, emptySilenceCounts, optionalSilence } from '../../../src/model/decoding/optional-silence.js';

describe('countSilences', () => {
  it('tells leading, trailing and between-word silences apart', () => {
    const counts = emptySilenceCounts();
    // sil · word · sil · word · sil
    countSilences(Int32Array.of(0, 1, 2, 9, 10, 11, 0, 1, 2, 12, 13, 14, 0, 2), 2, counts);
    // word · word, no silence at all
    countSilences(Int32Array.of(9, 10, 11, 12, 13, 14), 2, counts);
    // silence only
    countSilences(Int32Array.of(0, 1, 2), 0, counts);
    expect(counts).toEqual({ utterances: 3, startSilences: 2, endSilences: 2, boundaries: 2, betweenSilences: 1 });
  });

  it('counts at most one pause per gap between words', () => {
    const counts = emptySilenceCounts();
    countSilences(Int32Array.of(9, 0, 9, 0, 9), 2, counts);
    expect(counts.betweenSilences).toBe(1);
  });
});

describe('optionalSilence', () => {
  it('estimates add-one probabilities strictly inside (0, 1)', () => {
    expect(optionalSilence({ utterances: 8, startSilences: 8, endSilences: 0, boundaries: 10, betweenSilences: 2 })).toEqual({ start: 0.9, between: 0.25, end: 0.1 });
    const none = optionalSilence(emptySilenceCounts());
    expect(none).toEqual({ start: 0.5, between: 0.5, end: 0.5 });
  });
});
