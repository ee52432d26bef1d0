import fc from 'fast-check';
import { from, lastValueFrom, map, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { chunk, type Chunk } from '../../../src/streams/pipeline/chunk.js';
import { NO_TARGET, type LabelledUtterance } from '../../../src/streams/pipeline/utterance.js';

/** An utterance whose feature values encode (utterance, frame), so every frame can be traced. */
function utterance(index: number, frames: number, dim: number, unlabelled = new Set<number>()): LabelledUtterance {
  const features = new Float32Array(frames * dim);
  for (let t = 0; t < frames; t++) for (let d = 0; d < dim; d++) features[t * dim + d] = index * 1000 + t + d / 10;
  const targets = Int32Array.from({ length: frames }, (_, t) => (unlabelled.has(t) ? NO_TARGET : (index + t) % 7));
  return { id: `u${index}`, frames, dim, features, targets };
}

const chunkAll = (utterances: LabelledUtterance[], streams: number, steps: number) =>
  lastValueFrom(from(utterances).pipe(chunk({ streams, steps }), toArray()));

const scenario = fc.record({
  lengths: fc.array(fc.integer({ min: 0, max: 45 }), { minLength: 0, maxLength: 12 }),
  streams: fc.integer({ min: 1, max: 5 }),
  steps: fc.integer({ min: 1, max: 12 }),
  dim: fc.integer({ min: 1, max: 3 }),
});

describe('chunk', () => {
  it('puts every real frame in exactly once, in order within its stream; masks exactly the padding; resets exactly at utterance starts', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ lengths, streams, steps, dim }) => {
        const utterances = lengths.map((frames, i) => utterance(i, frames, dim));
        const chunks = await chunkAll(utterances, streams, steps);
        const seen = new Map<string, number[]>();
        for (const c of chunks) {
          expect([c.steps, c.streams, c.features.length, c.mask.length]).toEqual([steps, streams, steps * streams * dim, steps * streams]);
          for (let b = 0; b < streams; b++) {
            const id = c.utterances[b];
            let padded = false;
            for (let t = 0; t < steps; t++) {
              const row = t * streams + b;
              if (id === null || c.mask[row] === 0) {
                padded = true;
                expect(c.mask[row]).toBe(0);
                expect(c.targets[row]).toBe(NO_TARGET);
                expect(Array.from(c.features.subarray(row * dim, (row + 1) * dim)).every((v) => v === 0)).toBe(true);
                continue;
              }
              expect(padded).toBe(false);
              const frames = seen.get(id) ?? [];
              const frame = Math.round(c.features[row * dim] - Number(id.slice(1)) * 1000);
              if (t === 0) expect(c.reset[b]).toBe(frame === 0 ? 1 : 0);
              frames.push(frame);
              seen.set(id, frames);
              expect(c.targets[row]).toBe((Number(id.slice(1)) + frame) % 7);
            }
            if (id === null) expect(c.reset[b]).toBe(1);
          }
        }
        for (const u of utterances) {
          expect(seen.get(u.id) ?? []).toEqual(Array.from({ length: u.frames }, (_, t) => t));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('carries state positions: a stream continues its utterance in the next chunk without a reset', async () => {
    const chunks = await chunkAll([utterance(0, 25, 1), utterance(1, 5, 1), utterance(2, 3, 1)], 2, 10);
    expect(chunks.map((c) => c.utterances)).toEqual([
      ['u0', 'u1'],
      ['u0', 'u2'],
      ['u0', null],
    ]);
    expect(chunks.map((c) => Array.from(c.reset))).toEqual([
      [1, 1],
      [0, 1],
      [0, 1],
    ]);
    // u1 has 5 frames: padded from step 5 on
    expect(Array.from({ length: 10 }, (_, t) => chunks[0].mask[t * 2 + 1])).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
    // u0's third piece holds frames 20..24 then padding
    expect(Array.from({ length: 10 }, (_, t) => chunks[2].mask[t * 2])).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
  });

  it('masks frames without a target but keeps their features', async () => {
    const [c] = await chunkAll([utterance(3, 4, 2, new Set([0, 1]))], 1, 4);
    expect(Array.from(c.mask)).toEqual([0, 0, 1, 1]);
    expect(c.features[0]).toBe(3000);
  });

  it('holds at most B utterances: a chunk goes out as soon as every stream has data', () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable }) => {
      const source = cold('a-b-c-d-|', { a: utterance(0, 4, 1), b: utterance(1, 4, 1), c: utterance(2, 8, 1), d: utterance(3, 2, 1) });
      const ids = (c: Chunk) => c.utterances.join(',');
      const out = source.pipe(chunk({ streams: 2, steps: 4 }));
      expectObservable(out.pipe(map(ids))).toBe('--x---y-(z|)', { x: 'u0,u1', y: 'u2,u3', z: 'u2,' });
    });
  });

  it('passes errors through and refuses a change of feature dimension', async () => {
    await expect(chunkAll([utterance(0, 3, 2), utterance(1, 3, 3)], 1, 2)).rejects.toThrow(/u1 has 3 features per frame, the others 2/);
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable }) => {
      const out = cold('a-#', { a: utterance(0, 2, 1) }).pipe(chunk({ streams: 1, steps: 2 }), map((c: Chunk) => c.utterances.join(',')));
      expectObservable(out).toBe('x-#', { x: 'u0' });
    });
  });

  it('refuses nonsense sizes', () => {
    expect(() => chunk({ streams: 0, steps: 20 })).toThrow(/streams/);
    expect(() => chunk({ streams: 4, steps: 1.5 })).toThrow(/steps/);
  });
});
