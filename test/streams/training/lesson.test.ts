import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { portableKernels } from '../../../src/ops/kernels/portable/portable-kernels.js';
import { mulberry32 } from '../../../src/ops/random.js';
import {
  DEFAULT_LESSON,
  decodeLessonData,
  encodeLessonData,
  lessonChunkOf,
  lessonChunks,
  lessonFromSearch,
  lessonNetwork,
  lessonToSearch,
  lessonTrainer,
  type Lesson,
  type LessonData,
} from '../../../src/streams/training/lesson.js';

/** A few random utterances of 8 features and 6 states. */
function data(seed: number, count = 5): LessonData {
  const random = mulberry32(seed);
  return {
    states: ['sil_0', 'sil_1', 'sil_2', 'a_0', 'a_1', 'a_2'],
    utterances: Array.from({ length: count }, (_, u) => {
      const frames = 5 + Math.floor(random() * 30);
      return {
        id: `u${u}`,
        frames,
        dim: 8,
        features: Float32Array.from({ length: frames * 8 }, () => random() * 2 - 1),
        targets: Int32Array.from({ length: frames }, () => Math.floor(random() * 6)),
      };
    }),
  };
}

const lessons: fc.Arbitrary<Lesson> = fc.record({
  seed: fc.nat({ max: 1_000_000 }),
  cells: fc.integer({ min: 1, max: 512 }),
  projection: fc.integer({ min: 0, max: 512 }),
  layers: fc.integer({ min: 1, max: 4 }),
  steps: fc.integer({ min: 1, max: 200 }),
  streams: fc.integer({ min: 1, max: 16 }),
  delay: fc.integer({ min: 0, max: 20 }),
  learningRate: fc.double({ min: 1e-6, max: 1, noNaN: true }),
  utterance: fc.nat({ max: 1000 }),
  chunk: fc.nat({ max: 1000 }),
});

describe('lessons', () => {
  it('travel in a URL and come back the same', () => {
    fc.assert(
      fc.property(lessons, (lesson) => {
        expect(lessonFromSearch(lessonToSearch(lesson))).toEqual(E.right(lesson));
      }),
    );
    expect(lessonFromSearch('')).toEqual(E.right(DEFAULT_LESSON));
    expect(lessonFromSearch('?steps=7&seed=2')).toEqual(E.right({ ...DEFAULT_LESSON, steps: 7, seed: 2 }));
  });

  it('say which setting in a URL is wrong', () => {
    expect(lessonFromSearch('cells=0')).toEqual(E.left('the lesson in the URL: cells must be a whole number in 1 … 512 (got 0)'));
    expect(lessonFromSearch('learningRate=fast')).toEqual(E.left('the lesson in the URL: learningRate must be a number in (0, 1] (got null)'));
  });

  it('train the same, update for update, from the same seed; another seed trains otherwise', () => {
    const d = data(1);
    const run = (lesson: Lesson) => {
      const trainer = lessonTrainer(lesson, d, lessonNetwork(lesson, d, portableKernels));
      return Array.from({ length: 12 }, () => trainer.next().loss);
    };
    const lesson = { ...DEFAULT_LESSON, cells: 6, projection: 3, steps: 7, streams: 2, delay: 2 };
    expect(run(lesson)).toEqual(run(lesson));
    expect(run({ ...lesson, seed: 2 })).not.toEqual(run(lesson));
  });

  it('chunk every utterance once an epoch, in an order the seed draws', () => {
    const d = data(2, 7);
    const lesson = { ...DEFAULT_LESSON, steps: 10, streams: 1, delay: 0 };
    const perEpoch = d.utterances.reduce((n, u) => n + Math.ceil(u.frames / 10), 0);
    const chunks = lessonChunks(lesson, d);
    const firstEpoch = Array.from({ length: perEpoch }, () => chunks.next().value);
    const counted = firstEpoch.reduce((n, c) => n + c.mask.reduce((m, x) => m + x, 0), 0);
    expect(counted).toBe(d.utterances.reduce((n, u) => n + u.frames, 0));
  });

  it('open the chunks of one utterance up to the one asked for, or say there is none', () => {
    const d = data(3);
    const u = d.utterances[1];
    const lesson = { ...DEFAULT_LESSON, delay: 3 };
    const all = Math.ceil((u.frames + 3) / 4);
    expect(lessonChunkOf(lesson, d, 1, 4, all - 1)).toHaveLength(all);
    expect(() => lessonChunkOf(lesson, d, 1, 4, all)).toThrow(`utterance u1 has ${all} chunks of 4 steps; there is no chunk ${all}`);
    expect(() => lessonChunkOf(lesson, d, 9, 4, 0)).toThrow('there is no utterance 9 (the lesson has 5)');
  });

  it('data round-trips through its bytes; bytes that are not lesson data are refused in a phrase', () => {
    const d = data(4);
    expect(decodeLessonData(encodeLessonData(d))).toEqual(E.right(d));
    expect(decodeLessonData(Uint8Array.of(1, 2, 3))).toSatisfy(E.isLeft);
    const wrong = encodeLessonData({ ...d, states: ['sil_0'] });
    expect(decodeLessonData(wrong)).toEqual(E.left(expect.stringMatching(/^lesson data: utterance u\d has a target outside the 1 states$/)));
  });
});
