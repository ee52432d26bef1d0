import { test as fcTest } from '@fast-check/vitest';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { fitAlignment, parseSegments, parseText, parseUtt2spk, parseWavScp, segmentSamples } from '../../../src/model/corpus/kaldi-data.js';

const token = fc.stringMatching(/^[A-Za-z0-9_.\-/]{1,8}$/);
/** A table's rows: distinct ids, each with a value. */
const rows = <T>(value: fc.Arbitrary<T>): fc.Arbitrary<[string, T][]> => fc.uniqueArray(fc.tuple(token, value), { selector: ([id]) => id, maxLength: 8 });

function leftOf<T>(either: E.Either<string, T>): string {
  if (E.isRight(either)) throw new Error(`expected a Left, got ${JSON.stringify(either.right)}`);
  return either.left;
}

describe('parseWavScp', () => {
  it('maps ids to the rest of the line, spaces included, skipping blank lines and CRLF endings', () => {
    expect(parseWavScp('a /d/a.wav\r\n\n  b\t/my recordings/b.wav  \n')).toEqual(E.right(new Map([['a', '/d/a.wav'], ['b', '/my recordings/b.wav']])));
    expect(parseWavScp('')).toEqual(E.right(new Map()));
  });

  fcTest.prop([rows(fc.stringMatching(/^[a-z/][a-z0-9 ./_-]{0,12}[a-z0-9]$/))])('reads back what it is given', (table) => {
    const text = table.map(([id, path]) => `${id} ${path}\n`).join('');
    expect(parseWavScp(text)).toEqual(E.right(new Map(table)));
  });

  it('refuses a piped command, naming the line and saying what to do instead', () => {
    const reason = leftOf(parseWavScp('a /d/a.wav\nutt1 sox x.flac -t wav - |\n'));
    expect(reason).toMatch(/^line 2: "sox x.flac -t wav - \|" is a command/);
    expect(reason).toContain('(sox x.flac -t wav - > utt1.wav)');
    expect(reason).not.toContain('\n');
    expect(leftOf(parseWavScp("it's flac -d -c x.flac |\n"))).toContain("(flac -d -c x.flac > 'it'\\''s'.wav)");
  });

  it('refuses an offset into an archive, an id without a path and a repeated id', () => {
    expect(leftOf(parseWavScp('a data/wav.ark:1234\n'))).toMatch(/^line 1: "data\/wav.ark:1234" is an offset into a Kaldi archive/);
    expect(leftOf(parseWavScp('a /a.wav\nb\n'))).toBe('line 2: expected "<id> <wav file>", got an id alone');
    expect(leftOf(parseWavScp('a /a.wav\n\na /b.wav\n'))).toBe('line 3: the id "a" appears twice');
  });
});

describe('parseText', () => {
  fcTest.prop([rows(fc.array(token, { maxLength: 5 }))])('maps ids to their words, none for an empty transcript', (table) => {
    const text = table.map(([id, words]) => `${[id, ...words].join(' ')}\n`).join('');
    expect(parseText(text)).toEqual(E.right(new Map(table)));
  });

  it('splits on any whitespace and refuses a repeated id', () => {
    expect(parseText('u1 ONE\tTWO  THREE\r\nu2\n')).toEqual(E.right(new Map([['u1', ['ONE', 'TWO', 'THREE']], ['u2', []]])));
    expect(leftOf(parseText('u1 A\nu2 B\nu1 C\n'))).toBe('line 3: the id "u1" appears twice');
  });
});

describe('parseUtt2spk', () => {
  fcTest.prop([rows(token)])('maps utterances to speakers', (table) => {
    expect(parseUtt2spk(table.map(([id, speaker]) => `${id} ${speaker}\n`).join(''))).toEqual(E.right(new Map(table)));
  });

  it('refuses a line with one field or three, and a repeated id', () => {
    expect(leftOf(parseUtt2spk('u1 s1\nu2\n'))).toBe('line 2: expected "<utterance-id> <speaker-id>", got 1 field');
    expect(leftOf(parseUtt2spk('u1 s1 s2\n'))).toBe('line 1: expected "<utterance-id> <speaker-id>", got 3 fields');
    expect(leftOf(parseUtt2spk('u1 s1\nu1 s1\n'))).toBe('line 2: the id "u1" appears twice');
  });
});

describe('parseSegments', () => {
  it('reads segment → recording, start and end in seconds; -1 runs to the end of the recording', () => {
    expect(parseSegments('s1 r1 0 1.25\ns2 r1 1.5 -1\ns3 r2 2e-1 0.5\n')).toEqual(
      E.right(
        new Map([
          ['s1', { recording: 'r1', start: 0, end: 1.25 }],
          ['s2', { recording: 'r1', start: 1.5, end: Infinity }],
          ['s3', { recording: 'r2', start: 0.2, end: 0.5 }],
        ]),
      ),
    );
  });

  fcTest.prop([rows(fc.tuple(token, fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 10_000 })))])(
    'reads back times written with two decimals',
    (table) => {
      const text = table.map(([id, [recording, start, length]]) => `${id} ${recording} ${(start / 100).toFixed(2)} ${((start + length) / 100).toFixed(2)}\n`).join('');
      const expected = table.map(([id, [recording, start, length]]) => [id, { recording, start: start / 100, end: (start + length) / 100 }] as const);
      expect(parseSegments(text)).toEqual(E.right(new Map(expected)));
    },
  );

  it('refuses each malformed line, naming it', () => {
    expect(leftOf(parseSegments('s1 r1 0 1\ns2 r1 0\n'))).toBe('line 2: expected "<segment-id> <recording-id> <start> <end>", got 3 fields');
    expect(leftOf(parseSegments('s1\n'))).toBe('line 1: expected "<segment-id> <recording-id> <start> <end>", got 1 field');
    expect(leftOf(parseSegments('s1 r1 0 1 1\n'))).toMatch(/^line 1: a fifth field \(a channel\) is not supported/);
    expect(leftOf(parseSegments('s1 r1 1.5 1.5\n'))).toBe('line 1: the end 1.5 is not after the start 1.5');
    expect(leftOf(parseSegments('s1 r1 2 1\n'))).toBe('line 1: the end 1 is not after the start 2');
    expect(leftOf(parseSegments('s1 r1 zero 1\n'))).toBe('line 1: the start must be a number of seconds ≥ 0, got "zero"');
    expect(leftOf(parseSegments('s1 r1 -0.5 1\n'))).toBe('line 1: the start must be a number of seconds ≥ 0, got "-0.5"');
    expect(leftOf(parseSegments('s1 r1 0 1s\n'))).toBe('line 1: the end must be a number of seconds (or -1 for the end of the recording), got "1s"');
    expect(leftOf(parseSegments('s1 r1 0 Infinity\n'))).toMatch(/^line 1: the end must be a number/);
    expect(leftOf(parseSegments('s1 r1 0 -2\n'))).toBe('line 1: the end -2 is not after the start 0');
    expect(leftOf(parseSegments('s1 r1 0 1\ns1 r2 0 1\n'))).toBe('line 2: the id "s1" appears twice');
  });
});

describe('segmentSamples', () => {
  it("cuts by Kaldi's extract-segments rule: times × rate truncated", () => {
    expect(segmentSamples({ recording: 'r', start: 0.5, end: 1 }, 16000, 32000)).toEqual(E.right({ start: 8000, end: 16000 }));
    // 2.01 × 8000 is 16079.999999999998 in floating point: Kaldi's int32 cast makes it 16079, and so must lstmp.
    expect(segmentSamples({ recording: 'r', start: 0.57, end: 2.01 }, 8000, 20000)).toEqual(E.right({ start: 4560, end: 16079 }));
    expect(segmentSamples({ recording: 'r', start: 1.5, end: Infinity }, 16000, 40000)).toEqual(E.right({ start: 24000, end: 40000 }));
  });

  it('cuts an end less than 0.5 s past the recording to its end, and refuses one further or a start past it', () => {
    expect(segmentSamples({ recording: 'r', start: 1, end: 2.49 }, 16000, 32000)).toEqual(E.right({ start: 16000, end: 32000 }));
    expect(leftOf(segmentSamples({ recording: 'r', start: 1, end: 2.5 }, 16000, 32000))).toBe('the segment ends at 2.5 s, more than 0.5 s after the recording "r" (2 s)');
    expect(leftOf(segmentSamples({ recording: 'r', start: 2, end: 2.2 }, 16000, 32000))).toBe('the segment starts at 2 s, the recording "r" lasts 2 s');
    expect(leftOf(segmentSamples({ recording: 'r', start: 0.00001, end: 0.00002 }, 16000, 32000))).toBe('the segment holds no sample at 16000 Hz');
  });

  fcTest.prop([fc.integer({ min: 1, max: 48000 }), fc.integer({ min: 1, max: 100_000 }), fc.double({ min: 0, max: 10, noNaN: true }), fc.double({ min: 0, max: 10, noNaN: true })])(
    'a cut is a non-empty range inside the recording, or a Left',
    (rate, length, start, duration) => {
      const cut = segmentSamples({ recording: 'r', start, end: start + duration }, rate, length);
      if (E.isRight(cut)) {
        expect(cut.right.start).toBe(Math.trunc(start * rate));
        expect(0 <= cut.right.start && cut.right.start < cut.right.end && cut.right.end <= length).toBe(true);
        expect(cut.right.end === length || cut.right.end === Math.trunc((start + duration) * rate)).toBe(true);
      }
    },
  );
});

describe('fitAlignment', () => {
  it('trims, pads with the last state, or says how far off it is', () => {
    expect(fitAlignment(Int32Array.of(4, 5), 3, 2)).toEqual(E.right(Int32Array.of(4, 5, 5)));
    expect(fitAlignment(Int32Array.of(1, 2, 3, 4), 3, 1)).toEqual(E.right(Int32Array.of(1, 2, 3)));
    const exact = Int32Array.of(7, 7);
    expect((fitAlignment(exact, 2, 0) as E.Right<Int32Array>).right).toBe(exact);
    expect(leftOf(fitAlignment(new Int32Array(110), 100, 2))).toBe('the alignment has 110 frames, the audio 100: 10 apart, more than the tolerance of 2');
    expect(leftOf(fitAlignment(new Int32Array(0), 1, 2))).toBe('the alignment is empty, the audio has 1 frames');
  });

  fcTest.prop([fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 30 }), fc.integer({ min: 0, max: 35 }), fc.integer({ min: 0, max: 5 })])(
    'matches the brute-force rule',
    (states, frames, tolerance) => {
      const fitted = fitAlignment(Int32Array.from(states), frames, tolerance);
      const fits = Math.abs(states.length - frames) <= tolerance && (states.length > 0 || frames === 0);
      expect(E.isRight(fitted)).toBe(fits);
      if (E.isRight(fitted)) {
        const expected = Array.from({ length: frames }, (_, i) => states[Math.min(i, states.length - 1)]);
        expect(Array.from(fitted.right)).toEqual(expected);
      }
    },
  );
});
