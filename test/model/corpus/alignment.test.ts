import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  FRAMES_16K,
  formatAlignmentLine,
  frameStates,
  parseAlignmentLine,
  parseAlignments,
  segmentBoundaries,
  spokenFrames,
  withMinimumDuration,
} from '../../../src/model/corpus/alignment.js';
import { STATES_PER_PHONE } from '../../../src/model/corpus/states.js';
import { frameCount } from '../../../src/ops/dsp/fbank.js';

/** Ascending segment starts in [0, samples], the first 0. */
const starts = (samples: number) =>
  fc.array(fc.integer({ min: 0, max: samples }), { maxLength: 12 }).map((s) => [0, ...s.sort((a, b) => a - b)]);

/** Valid frame boundaries: 0 = b0 ≤ b1 ≤ … ≤ bK = frames. */
const boundaries = fc
  .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 24 }))
  .chain(([segments, frames]) =>
    fc.array(fc.integer({ min: 0, max: frames }), { minLength: segments - 1, maxLength: segments - 1 }).map((inner) => Int32Array.from([0, ...inner.sort((a, b) => a - b), frames])),
  );

const cost = (a: Int32Array, b: Int32Array) => a.reduce((sum, x, k) => sum + Math.abs(x - b[k]), 0);

/** Every boundary vector with the same ends whose segments all last ≥ minimum frames. */
function* feasible(segments: number, frames: number, minimum: number, prefix: number[] = [0]): Generator<Int32Array> {
  if (prefix.length === segments) {
    if (frames - prefix[prefix.length - 1] >= minimum) yield Int32Array.from([...prefix, frames]);
    return;
  }
  for (let b = prefix[prefix.length - 1] + minimum; b <= frames; b++) yield* feasible(segments, frames, minimum, [...prefix, b]);
}

describe('segmentBoundaries', () => {
  it('gives each frame to the segment holding its centre sample', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6000 }).chain((n) => fc.tuple(fc.constant(n), starts(n))),
        ([samples, segmentStarts]) => {
          const frames = frameCount(samples);
          const b = segmentBoundaries(segmentStarts, frames, FRAMES_16K);
          expect(b.length).toBe(segmentStarts.length + 1);
          expect(b[0]).toBe(0);
          expect(b[b.length - 1]).toBe(frames);
          for (let i = 0; i < frames; i++) {
            const centre = 160 * i + 200;
            let holder = 0;
            for (let k = 1; k < segmentStarts.length; k++) if (segmentStarts[k] <= centre) holder = k;
            expect(b[holder] <= i && i < b[holder + 1]).toBe(true);
          }
        },
      ),
    );
  });

  it('matches the features’ framing: frame i covers [160i, 160i + 400)', () => {
    for (const n of [399, 400, 559, 560, 16000, 16001]) {
      const frames = frameCount(n);
      expect(frames === 0 || FRAMES_16K.shift * (frames - 1) + FRAMES_16K.length <= n).toBe(true);
      expect(FRAMES_16K.shift * frames + FRAMES_16K.length > n).toBe(true);
    }
  });
});

describe('withMinimumDuration', () => {
  it('moves boundaries as little as possible (brute force) so every segment has 3 frames', () => {
    fc.assert(
      fc.property(boundaries, (b) => {
        const segments = b.length - 1;
        const frames = b[segments];
        const minimum = Math.min(3, Math.floor(frames / segments));
        const out = withMinimumDuration(b, 3);
        expect(out[0]).toBe(0);
        expect(out[segments]).toBe(frames);
        for (let k = 0; k < segments; k++) expect(out[k + 1] - out[k]).toBeGreaterThanOrEqual(minimum);
        let best = Infinity;
        for (const candidate of feasible(segments, frames, minimum)) best = Math.min(best, cost(candidate, b));
        expect(cost(out, b)).toBe(best);
      }),
    );
  });

  it('leaves boundaries that already satisfy the minimum alone', () => {
    expect(withMinimumDuration(Int32Array.of(0, 3, 9, 12), 3)).toEqual(Int32Array.of(0, 3, 9, 12));
    expect(withMinimumDuration(Int32Array.of(0, 5, 6, 20), 3)).toEqual(Int32Array.of(0, 4, 7, 20));
  });
});

describe('frameStates', () => {
  it("runs each phone's 3 states left to right over its frames, as evenly as possible", () => {
    fc.assert(
      fc.property(boundaries, fc.integer({ min: 0, max: 40 }), (raw, phoneSeed) => {
        const b = withMinimumDuration(raw, 3);
        const segments = b.length - 1;
        const phones = Array.from({ length: segments }, (_, k) => (phoneSeed + 7 * k) % 13);
        const states = frameStates(phones, b);
        expect(states.length).toBe(b[segments]);
        for (let k = 0; k < segments; k++) {
          const run = Array.from(states.subarray(b[k], b[k + 1]));
          const n = run.length;
          const counts = [0, 1, 2].map((j) => run.filter((s) => s === 3 * phones[k] + j).length);
          expect(counts.reduce((x, y) => x + y, 0)).toBe(n);
          expect(run).toEqual([...run].sort((x, y) => x - y));
          if (n >= 3) expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
          else expect(counts.slice(3 - n)).toEqual(Array(n).fill(1));
        }
      }),
    );
  });

  it('labels the example in its documentation', () => {
    expect(frameStates([0, 2], Int32Array.of(0, 3, 7))).toEqual(Int32Array.of(0, 1, 2, 6, 7, 8, 8));
  });
});

describe('alignments.txt', () => {
  it('round-trips lines through formatAlignmentLine and parseAlignments', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fc.stringMatching(/^\w{1,8}$/), fc.array(fc.nat(200))), { selector: ([id]) => id, maxLength: 8 }), (entries) => {
        const text = entries.map(([id, states]) => `${formatAlignmentLine(id, states)}\n`).join('');
        expect(parseAlignments(text)).toEqual(E.right(new Map(entries.map(([id, states]) => [id, Int32Array.from(states)]))));
      }),
    );
    expect(formatAlignmentLine('sd000001', [0, 0, 1, 2])).toBe('sd000001 0 0 1 2');
  });

  it('names the line and frame of a bad state, and a repeated utterance', () => {
    expect(parseAlignments('a 0 1\n\nb 0 x 1\n')).toEqual(E.left('line 3: "b" frame 1: expected a state a whole number ≥ 0, got "x"'));
    expect(parseAlignments('a 0 1\nb 0 -1\n')).toEqual(E.left('line 2: "b" frame 1: expected a state a whole number ≥ 0, got "-1"'));
    expect(parseAlignments('a 0 1\nb 0 6\n', 6)).toEqual(E.left('line 2: "b" frame 1: expected a state 0 to 5, got "6"'));
    expect(parseAlignments('a 0\na 1\n')).toEqual(E.left('line 2: the utterance "a" appears twice'));
    expect(parseAlignmentLine('sd000001 3 4')).toEqual(E.right({ id: 'sd000001', states: Int32Array.of(3, 4) }));
  });
});

describe('spokenFrames', () => {
  it('spans the first to the last frame that is not silence, against a scan of every frame', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 11 }), { maxLength: 60 }), (states) => {
        const spoken = states.flatMap((state, t) => (state >= STATES_PER_PHONE ? [t] : []));
        expect(spokenFrames(states)).toEqual(spoken.length === 0 ? undefined : { start: spoken[0], end: spoken.at(-1)! + 1 });
      }),
    );
    expect(spokenFrames([0, 1, 2, 9, 0, 12, 2])).toEqual({ start: 3, end: 6 });
  });
});
