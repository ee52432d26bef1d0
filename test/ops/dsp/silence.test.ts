import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { silentRunStart } from '../../../src/ops/dsp/silence.js';

describe('silentRunStart', () => {
  it('finds where the quiet run ending at `end` starts, not before `start` (brute force)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(0, 0.001, -0.002, 0.5, -0.3), { maxLength: 30 }).chain((values) =>
          fc.tuple(fc.constant(values), fc.integer({ min: 0, max: values.length }), fc.integer({ min: 0, max: values.length })),
        ),
        ([values, a, b]) => {
          const [start, end] = a <= b ? [a, b] : [b, a];
          const samples = Float32Array.from(values);
          const found = silentRunStart(samples, start, end, 0.002);
          let expected = end;
          while (expected > start && Math.abs(samples[expected - 1]) <= 0.002) expected--;
          expect(found).toBe(expected);
          for (let i = found; i < end; i++) expect(Math.abs(samples[i])).toBeLessThanOrEqual(0.002);
        },
      ),
    );
    expect(silentRunStart(Float32Array.of(0.5, 0, 0), 0, 3, 0)).toBe(1);
  });
});
