import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyMasks } from '../../../src/ops/augment/masks.js';

describe('applyMasks', () => {
  it('sets exactly the masked frames and bins to the value, cut to the edges, and nothing else', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.tuple(fc.integer({ min: -5, max: 35 }), fc.integer({ min: 0, max: 10 })), { maxLength: 3 }),
        fc.array(fc.tuple(fc.integer({ min: -5, max: 15 }), fc.integer({ min: 0, max: 6 })), { maxLength: 3 }),
        (frames, bins, time, frequency) => {
          const data = Float32Array.from({ length: frames * bins }, (_, i) => i + 1);
          applyMasks(data, frames, bins, { time, frequency }, -7);
          for (let t = 0; t < frames; t++) {
            for (let b = 0; b < bins; b++) {
              const masked = time.some(([s, w]) => t >= s && t < s + w) || frequency.some(([s, w]) => b >= s && b < s + w);
              expect(data[t * bins + b]).toBe(masked ? -7 : t * bins + b + 1);
            }
          }
        },
      ),
    );
  });

  it('refuses features that do not fit', () => {
    expect(() => applyMasks(new Float32Array(5), 2, 3, { time: [], frequency: [] })).toThrow(/do not fit/);
  });
});
