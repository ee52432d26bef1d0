import fc from 'fast-check';
import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { delayTargets, delayUtterance } from '../../../src/streams/pipeline/delay-targets.js';
import { NO_TARGET, type LabelledUtterance } from '../../../src/streams/pipeline/utterance.js';

const utteranceArbitrary = fc
  .record({ frames: fc.integer({ min: 0, max: 30 }), dim: fc.integer({ min: 1, max: 4 }) })
  .chain(({ frames, dim }) =>
    fc.record({
      id: fc.constant('u'),
      frames: fc.constant(frames),
      dim: fc.constant(dim),
      features: fc.float32Array({ minLength: frames * dim, maxLength: frames * dim, noNaN: true }),
      targets: fc.array(fc.integer({ min: 0, max: 50 }), { minLength: frames, maxLength: frames }).map((a) => Int32Array.from(a)),
    }),
  );

describe('delayTargets', () => {
  it('shifts labels by d, adds no loss for the first d frames and repeats the last frame d times', () => {
    fc.assert(
      fc.property(utteranceArbitrary, fc.integer({ min: 0, max: 8 }), (u: LabelledUtterance, d) => {
        const delayed = delayUtterance(u, d);
        const { frames, dim } = u;
        if (frames === 0) {
          expect(delayed).toBe(u);
          return;
        }
        expect(delayed.frames).toBe(frames + d);
        expect(Array.from(delayed.targets.subarray(0, d))).toEqual(new Array(d).fill(NO_TARGET));
        expect(Array.from(delayed.targets.subarray(d))).toEqual(Array.from(u.targets));
        expect(Array.from(delayed.features.subarray(0, frames * dim))).toEqual(Array.from(u.features));
        const last = Array.from(u.features.subarray((frames - 1) * dim));
        for (let t = frames; t < frames + d; t++) expect(Array.from(delayed.features.subarray(t * dim, (t + 1) * dim))).toEqual(last);
      }),
    );
  });

  it('keeps every label: each original target is predicted exactly once', () => {
    fc.assert(
      fc.property(utteranceArbitrary, fc.integer({ min: 0, max: 8 }), (u, d) => {
        const labelled = Array.from(delayUtterance(u, d).targets).filter((t) => t !== NO_TARGET);
        expect(labelled).toEqual(Array.from(u.targets));
      }),
    );
  });

  it('is an operator over a stream of utterances, and refuses a negative delay', async () => {
    const u: LabelledUtterance = { id: 'a', frames: 2, dim: 1, features: Float32Array.of(1, 2), targets: Int32Array.of(7, 8) };
    const [out] = await lastValueFrom(from([u]).pipe(delayTargets(1), toArray()));
    expect(Array.from(out.targets)).toEqual([NO_TARGET, 7, 8]);
    expect(Array.from(out.features)).toEqual([1, 2, 2]);
    expect(() => delayTargets(-1)).toThrow(/delay/);
  });
});
