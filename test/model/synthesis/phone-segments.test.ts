import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  phoneSegments,
  placeSegments,
  withSilentTailsMoved,
  withoutStress,
  wordMark,
  wordPhones,
  type PhoneSegment,
  type SpeechEvent,
} from '../../../src/model/synthesis/phone-segments.js';

const mark = (name: string, ms: number): SpeechEvent => ({ type: 'mark', id: name, audioPositionMs: ms });
const phoneme = (id: string, ms: number): SpeechEvent => ({ type: 'phoneme', id, audioPositionMs: ms });

/** eSpeak's events for "seven eight" in en-us, as reported (the mark for "eight" ties with seven's n). */
const sevenEight: SpeechEvent[] = [
  { type: 'samplerate', id: undefined, audioPositionMs: 0 },
  mark('w0', 0),
  { type: 'word', id: 1, audioPositionMs: 0 },
  phoneme('s', 12),
  phoneme('ˈɛ', 85),
  phoneme('v', 201),
  phoneme('ə', 251),
  phoneme('n', 306),
  mark('w1', 306),
  phoneme('ˈeɪ', 401),
  phoneme('t', 578),
  mark('end', 623),
  phoneme('', 623),
  phoneme('', 630),
  { type: 'end', id: undefined, audioPositionMs: 630 },
];

const contiguous = (segments: readonly PhoneSegment[], total: number) => {
  expect(segments[0].start).toBe(0);
  expect(segments[segments.length - 1].end).toBe(total);
  for (let k = 1; k < segments.length; k++) expect(segments[k].start).toBe(segments[k - 1].end);
};

describe('phoneSegments', () => {
  it('cuts the audio at phoneme events, silence before the first and at pauses', () => {
    const segments = phoneSegments(sevenEight, 6300, 10000, 2);
    expect(segments).toEqual(
      E.right([
        { phone: 'sil', word: -1, start: 0, end: 120 },
        { phone: 's', word: 0, start: 120, end: 850 },
        { phone: 'ɛ', word: 0, start: 850, end: 2010 },
        { phone: 'v', word: 0, start: 2010, end: 2510 },
        { phone: 'ə', word: 0, start: 2510, end: 3060 },
        { phone: 'n', word: 0, start: 3060, end: 4010 },
        { phone: 'eɪ', word: 1, start: 4010, end: 5780 },
        { phone: 't', word: 1, start: 5780, end: 6230 },
        { phone: 'sil', word: -1, start: 6230, end: 6300 },
      ]),
    );
    if (E.isRight(segments)) expect(wordPhones(segments.right, 2)).toEqual([['s', 'ɛ', 'v', 'ə', 'n'], ['eɪ', 't']]);
  });

  it('refuses a phoneme before any word and a word without phonemes', () => {
    expect(phoneSegments([phoneme('z', 0), mark(wordMark(0), 5)], 100, 1000, 1)).toEqual(E.left('phoneme "z" at 0 ms before the first word'));
    expect(phoneSegments([mark('w0', 0), phoneme('z', 0), mark('w1', 50)], 100, 1000, 2)).toEqual(E.left('word 1 has no phonemes'));
    expect(phoneSegments([mark('w0', 0), phoneme('a b', 0)], 100, 1000, 1)).toEqual(E.left('unexpected phoneme "a b"'));
  });

  it('always covers the audio contiguously, whatever the event times', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('', 'a', 'ˈb', 'c'), fc.integer({ min: 0, max: 200 })), { maxLength: 12 }), fc.integer({ min: 1, max: 3000 }), (list, total) => {
        const events = [mark('w0', 0), phoneme('a', 0), ...list.map(([id, ms]) => phoneme(id, ms))];
        const segments = phoneSegments(events, total, 10000, 1);
        expect(E.isRight(segments)).toBe(true);
        if (E.isLeft(segments)) return;
        contiguous(segments.right, total);
        for (let k = 1; k < segments.right.length; k++) expect(segments.right[k].phone === 'sil' && segments.right[k - 1].phone === 'sil').toBe(false);
      }),
    );
  });
});

describe('withoutStress', () => {
  it('drops primary and secondary stress marks only', () => {
    expect(withoutStress('ˈiə')).toBe('iə');
    expect(withoutStress('ˌɔː')).toBe('ɔː');
    expect(withoutStress('t̪')).toBe('t̪');
  });
});

describe('withSilentTailsMoved', () => {
  const segments: PhoneSegment[] = [
    { phone: 'sil', word: -1, start: 0, end: 2 },
    { phone: 'eɪ', word: 0, start: 2, end: 12 },
    { phone: 't', word: 0, start: 12, end: 16 },
    { phone: 'sil', word: -1, start: 16, end: 20 },
  ];
  // eɪ sounds for 6 samples then is silent for 4 (the closure), t bursts then falls silent
  const samples = Float32Array.from([0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0, 0, 0, 0.4, 0.3, 0, 0, 0, 0, 0, 0]);

  it("gives a phone's silent end to the next segment: a stop's closure to the stop, a gap to the pause", () => {
    expect(withSilentTailsMoved(segments, samples, 0.01, 2, 3)).toEqual([
      { phone: 'sil', word: -1, start: 0, end: 2 },
      { phone: 'eɪ', word: 0, start: 2, end: 8 },
      { phone: 't', word: 0, start: 8, end: 14 },
      { phone: 'sil', word: -1, start: 14, end: 20 },
    ]);
  });

  it('leaves runs shorter than the minimum, and keeps the minimum of each phone', () => {
    expect(withSilentTailsMoved(segments, samples, 0.01, 5, 3)).toEqual(segments);
    expect(withSilentTailsMoved(segments, samples, 0.01, 2, 8)[1]).toEqual({ phone: 'eɪ', word: 0, start: 2, end: 10 });
  });
});

describe('placeSegments', () => {
  it('rescales, shifts by the lead and fills both ends with silence', () => {
    const segments: PhoneSegment[] = [
      { phone: 'sil', word: -1, start: 0, end: 10 },
      { phone: 'z', word: 0, start: 10, end: 30 },
      { phone: 'oʊ', word: 0, start: 30, end: 40 },
    ];
    expect(placeSegments(segments, 0.5, 100, 150)).toEqual([
      { phone: 'sil', word: -1, start: 0, end: 105 },
      { phone: 'z', word: 0, start: 105, end: 115 },
      { phone: 'oʊ', word: 0, start: 115, end: 120 },
      { phone: 'sil', word: -1, start: 120, end: 150 },
    ]);
    // no lead and no trail: the leading gap stays silence, no empty silence at the end
    expect(placeSegments(segments.slice(1), 1, 0, 40)).toEqual([{ phone: 'sil', word: -1, start: 0, end: 10 }, ...segments.slice(1)]);
  });
});
