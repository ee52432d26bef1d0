import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { layoutOf } from '../../../src/model/network/layout.js';
import { rateSegments, shardRange } from '../../../src/model/cluster/shards.js';
import type { LstmpSpec } from '../../../src/ops/nn/lstmp.js';

const spec: LstmpSpec = { inputs: 5, cells: 6, projection: 3, layers: 2, outputs: 7, cellClip: 50, peepholes: true };

describe('shardRange', () => {
  it('tiles the parameter vector with contiguous slices whose lengths differ by at most one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 64 }), (total, count) => {
        const ranges = Array.from({ length: count }, (_, index) => shardRange(total, index, count));
        let next = 0;
        for (const range of ranges) {
          expect(range.offset).toBe(next);
          next += range.length;
        }
        expect(next).toBe(total);
        const lengths = ranges.map((range) => range.length);
        expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('refuses a shard that does not exist', () => {
    expect(() => shardRange(10, 3, 3)).toThrow(/no shard 3 of 3/);
    expect(() => shardRange(10, 0, 0)).toThrow(/no shard/);
    expect(() => shardRange(10, 0.5, 2)).toThrow(/no shard/);
  });
});

describe('rateSegments', () => {
  it('cover a shard exactly, each element at its tensor\'s learning-rate factor', () => {
    const layout = layoutOf(spec);
    const factorOf = new Float32Array(layout.size);
    for (const slot of layout.tensors) factorOf.fill(/\.(b|by|peephole)$/.test(slot.name) ? 0.25 : 1, slot.offset, slot.offset + slot.size);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), (count) => {
        for (let index = 0; index < count; index++) {
          const range = shardRange(layout.size, index, count);
          const segments = rateSegments(spec, range, 0.25);
          let next = 0;
          for (const segment of segments) {
            expect(segment.offset).toBe(next);
            expect(segment.length).toBeGreaterThan(0);
            for (let i = segment.offset; i < segment.offset + segment.length; i++) expect(factorOf[range.offset + i]).toBe(segment.factor);
            next += segment.length;
          }
          expect(next).toBe(range.length);
        }
      }),
    );
  });
});
