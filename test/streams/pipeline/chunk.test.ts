import fc from 'fast-check';
import { from, lastValueFrom, map, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { chunk, type Chunk } from '../../../src/streams/pipeline/chunk.js';
import { NO_TARGET, type LabelledUtterance } from '../../../src/streams/pipeline/utterance.js';
import { labelledUtterances } from '../../../src/testing/arbitraries.js';
import { checkChunkContract } from '../../../src/testing/chunk-contract.js';
import { runMarbles } from '../../../src/testing/marbles.js';

/** An utterance whose feature values encode (utterance, frame), so every frame can be traced. */
function utterance(index: number, frames: number, dim: number, unlabelled = new Set<number>()): LabelledUtterance {
  const features = new Float32Array(frames * dim);
  for (let t = 0; t < frames; t++) for (let d = 0; d < dim; d++) features[t * dim + d] = index * 1000 + t + d / 10;
  const targets = Int32Array.from({ length: frames }, (_, t) => (unlabelled.has(t) ? NO_TARGET : (index + t) % 7));
  return { id: `u${index}`, frames, dim, features, targets };
}

const chunkAll = (utterances: LabelledUtterance[], streams: number, steps: number) =>
  lastValueFrom(from(utterances).pipe(chunk({ streams, steps }), toArray()));

describe('chunk', () => {
  it('puts every real frame in exactly once, in order within its stream; masks exactly the padding and frames without a target; resets exactly at utterance starts', async () => {
    await fc.assert(
      fc.asyncProperty(labelledUtterances(), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 12 }), async (utterances, streams, steps) => {
        checkChunkContract(await chunkAll(utterances, streams, steps), utterances, { streams, steps });
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
    runMarbles(({ cold, expectObservable }) => {
      const source = cold('a-b-c-d-|', { a: utterance(0, 4, 1), b: utterance(1, 4, 1), c: utterance(2, 8, 1), d: utterance(3, 2, 1) });
      const ids = (c: Chunk) => c.utterances.join(',');
      const out = source.pipe(chunk({ streams: 2, steps: 4 }));
      expectObservable(out.pipe(map(ids))).toBe('--x---y-(z|)', { x: 'u0,u1', y: 'u2,u3', z: 'u2,' });
    });
  });

  it('passes errors through and refuses a change of feature dimension', async () => {
    await expect(chunkAll([utterance(0, 3, 2), utterance(1, 3, 3)], 1, 2)).rejects.toThrow(/u1 has 3 features per frame, the others 2/);
    runMarbles(({ cold, expectObservable }) => {
      const out = cold('a-#', { a: utterance(0, 2, 1) }).pipe(chunk({ streams: 1, steps: 2 }), map((c: Chunk) => c.utterances.join(',')));
      expectObservable(out).toBe('x-#', { x: 'u0' });
    });
  });

  it('refuses nonsense sizes', () => {
    expect(() => chunk({ streams: 0, steps: 20 })).toThrow(/streams/);
    expect(() => chunk({ streams: 4, steps: 1.5 })).toThrow(/steps/);
  });
});
