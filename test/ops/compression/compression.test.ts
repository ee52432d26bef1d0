import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBfloat16, encodeBfloat16, fromBfloat16, toBfloat16 } from '../../../src/ops/compression/bfloat16.js';
import {
  compress,
  compressChange,
  compressedBytes,
  compressedProblem,
  compressWithFeedback,
  decompress,
  type Compression,
} from '../../../src/ops/compression/compression.js';
import { decodeOneBit, encodeOneBit, ONE_BIT_BLOCK, oneBitBytes } from '../../../src/ops/compression/one-bit.js';
import { decodeTopK, encodeTopK, kthLargestInPlace, topKCount, topKProblem } from '../../../src/ops/compression/top-k.js';

const floats = (maxLength: number) => fc.float32Array({ noNaN: true, noDefaultInfinity: true, min: -1e3, max: 1e3, maxLength }).map((a) => a.map((v) => v + 0)); // no -0
const KINDS: readonly Compression[] = [{ kind: 'f32' }, { kind: 'bf16' }, { kind: '1bit' }, { kind: 'topk', fraction: 0.05 }];

describe('bfloat16', () => {
  it('rounds to the nearer of the two bfloat16 values around a float32, ties to even (brute force over the neighbours)', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true }), (x) => {
        const bits = new Uint32Array(Float32Array.of(x).buffer)[0];
        const down = bits >>> 16;
        const candidates = [down, (down + 1) & 0xffff].filter((h) => (h & 0x7f80) !== 0x7f80 || (h & 0x7f) === 0);
        // IEEE rounding overflows to infinity from halfway between the largest finite value and 2¹²⁸.
        const valueOf = (h: number) => ((h & 0x7fff) === 0x7f80 ? Math.sign(fromBfloat16(h)) * 2 ** 128 : fromBfloat16(h));
        const distance = (h: number) => Math.abs(valueOf(h) - Math.fround(x));
        const best = Math.min(...candidates.map(distance));
        const nearest = candidates.filter((h) => distance(h) === best);
        const expected = nearest.length === 1 ? nearest[0] : nearest.find((h) => (h & 1) === 0);
        expect(toBfloat16(x)).toBe(expected);
      }),
    );
  });

  it('keeps NaN a NaN and infinities themselves', () => {
    expect(Number.isNaN(fromBfloat16(toBfloat16(NaN)))).toBe(true);
    expect(fromBfloat16(toBfloat16(Infinity))).toBe(Infinity);
    expect(fromBfloat16(toBfloat16(-Infinity))).toBe(-Infinity);
    expect(fromBfloat16(toBfloat16(3.4e38))).toBe(Infinity); // past bfloat16's largest finite value, rounding up
  });

  it('round trips through bytes with a relative error of at most 2⁻⁸ (half a unit in the 8th significant bit)', () => {
    fc.assert(
      fc.property(floats(64), (values) => {
        const bytes = new Uint8Array(2 * values.length);
        expect(encodeBfloat16(values, bytes, 0)).toBe(2 * values.length);
        const back = decodeBfloat16(bytes, 0, new Float32Array(values.length));
        values.forEach((v, i) => expect(Math.abs(back[i] - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -8 + 1e-38));
      }),
    );
  });
  it('writes and reads the same bytes at an odd offset (byte by byte) as at an even one (whole words)', () => {
    fc.assert(
      fc.property(floats(64), (values) => {
        const even = new Uint8Array(2 * values.length);
        const odd = new Uint8Array(2 * values.length + 1);
        encodeBfloat16(values, even, 0);
        encodeBfloat16(values, odd, 1);
        expect(odd.subarray(1)).toEqual(even);
        expect(decodeBfloat16(odd, 1, new Float32Array(values.length))).toEqual(decodeBfloat16(even, 0, new Float32Array(values.length)));
      }),
    );
  });
});

describe('1-bit quantization', () => {
  /** The paper's rule in float64: each value becomes the mean of its block's values of the same sign. */
  function reference(values: Float32Array): Float64Array {
    const out = new Float64Array(values.length);
    for (let start = 0; start < values.length; start += ONE_BIT_BLOCK) {
      const block = Array.from(values.subarray(start, start + ONE_BIT_BLOCK));
      const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
      const positive = mean(block.filter((v) => v >= 0));
      const negative = mean(block.filter((v) => v < 0));
      block.forEach((v, i) => (out[start + i] = v < 0 ? negative : positive));
    }
    return out;
  }

  it('decodes each value as the float64 mean of its block’s values of its sign, within float32 rounding; every block keeps its sum', () => {
    fc.assert(
      fc.property(floats(3 * ONE_BIT_BLOCK + 7), (values) => {
        const bytes = new Uint8Array(oneBitBytes(values.length));
        expect(encodeOneBit(values, bytes, 0)).toBe(bytes.length);
        const back = decodeOneBit(bytes, 0, new Float32Array(values.length));
        const expected = reference(values);
        back.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(expected[i]))));
        for (let start = 0; start < values.length; start += ONE_BIT_BLOCK) {
          const sum = (a: Float32Array) => a.subarray(start, start + ONE_BIT_BLOCK).reduce((s, v) => s + v, 0);
          expect(Math.abs(sum(back) - sum(values))).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(sum(values))));
        }
      }),
    );
  });

  it('takes 1 bit a value and 8 bytes a block of 512', () => {
    expect(oneBitBytes(0)).toBe(0);
    expect(oneBitBytes(1)).toBe(9);
    expect(oneBitBytes(512)).toBe(8 + 64);
    expect(oneBitBytes(513)).toBe(16 + 65);
  });
});

describe('top-k', () => {
  it('kthLargestInPlace finds what sorting finds', () => {
    fc.assert(
      fc.property(fc.float32Array({ noNaN: true, minLength: 1, maxLength: 200 }), fc.nat(), (values, pick) => {
        const k = 1 + (pick % values.length);
        const sorted = Array.from(values).sort((a, b) => b - a);
        expect(kthLargestInPlace(values.slice(), k)).toBe(sorted[k - 1]);
      }),
    );
  });

  it('keeps the k values largest in magnitude, ties by the lower index, and zeros the rest (brute force)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 100 }), fc.nat(), (ints, pick) => {
        const values = Float32Array.from(ints, (v) => v / 2); // small integers: many ties
        const k = 1 + (pick % values.length);
        const bytes = new Uint8Array(8 * k);
        expect(encodeTopK(values, k, bytes, 0, new Float32Array(values.length))).toBe(8 * k);
        expect(topKProblem(bytes, 0, bytes.length, values.length)).toBeNull();
        const kept = [...values.keys()].sort((a, b) => Math.abs(values[b]) - Math.abs(values[a]) || a - b).slice(0, k);
        const expected = new Float32Array(values.length);
        for (const i of kept) expected[i] = values[i];
        expect(decodeTopK(bytes, 0, bytes.length, new Float32Array(values.length).fill(9))).toEqual(expected);
      }),
    );
  });

  it('keeps at least one value of a slice, none of an empty one', () => {
    expect(topKCount(0, 0.01)).toBe(0);
    expect(topKCount(10, 0.01)).toBe(1);
    expect(topKCount(1000, 0.01)).toBe(10);
    expect(topKCount(10, 2)).toBe(10);
  });

  it('refuses pairs that are not whole, too many, out of range or out of order, in words', () => {
    const pairs = (indices: number[]) => {
      const bytes = new Uint8Array(8 * indices.length);
      const view = new DataView(bytes.buffer);
      indices.forEach((index, p) => view.setUint32(4 * p, index, true));
      return bytes;
    };
    expect(topKProblem(new Uint8Array(12), 0, 12, 10)).toBe('12 bytes are not whole (index, value) pairs');
    expect(topKProblem(pairs([0, 1, 2]), 0, 24, 2)).toBe('holds 3 pairs for 2 values');
    expect(topKProblem(pairs([1, 10]), 0, 16, 10)).toBe('index 10 is past the 10 values');
    expect(topKProblem(pairs([3, 3]), 0, 16, 10)).toBe('indices are not ascending (3 after 3)');
    expect(topKProblem(pairs([2, 5]), 0, 16, 10)).toBeNull();
  });
});

describe('compression', () => {
  it('writes exactly compressedBytes, which compressedProblem accepts and any other length refuses', () => {
    fc.assert(
      fc.property(floats(2000), fc.constantFrom(...KINDS), (values, compression) => {
        const size = compressedBytes(compression, values.length);
        const out = new Uint8Array(size + 16);
        expect(compress(compression, values, out, 16, new Float32Array(values.length))).toBe(size);
        expect(compressedProblem(compression.kind, out, 16, size, values.length)).toBeNull();
        if (compression.kind !== 'topk') expect(compressedProblem(compression.kind, out, 16, size + 2, values.length)).toMatch(/expected/);
      }),
    );
  });

  it('f32 is exact, at any offset', () => {
    fc.assert(
      fc.property(floats(100), fc.nat(7), (values, offset) => {
        const out = new Uint8Array(offset + 4 * values.length);
        compress({ kind: 'f32' }, values, out, offset, new Float32Array(values.length));
        expect(decompress('f32', out, offset, 4 * values.length, new Float32Array(values.length))).toEqual(values);
      }),
    );
  });

  it('takes ½ the bytes of f32 in bf16, about 1/25 in 1-bit, 2k in top-k', () => {
    const n = 1_000_000;
    expect(compressedBytes({ kind: 'bf16' }, n) / compressedBytes({ kind: 'f32' }, n)).toBe(0.5);
    expect(compressedBytes({ kind: '1bit' }, n) / compressedBytes({ kind: 'f32' }, n)).toBeLessThan(1 / 25);
    expect(compressedBytes({ kind: 'topk', fraction: 0.01 }, n) / compressedBytes({ kind: 'f32' }, n)).toBe(0.02);
  });

  it('error feedback loses nothing: over many pushes, what was sent plus the residual sums to the gradients', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...KINDS),
        fc.integer({ min: 1, max: 1200 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer(),
        (compression, n, pushes, seed) => {
          let state = seed >>> 0;
          const random = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
          const residual = new Float32Array(n);
          const scratch = new Float32Array(n);
          const out = new Uint8Array(compressedBytes(compression, n));
          const received = new Float32Array(n);
          const given = new Float64Array(n);
          const sent = new Float64Array(n);
          let magnitude = 0;
          for (let p = 0; p < pushes; p++) {
            const gradient = Float32Array.from({ length: n }, () => random() * (1 + p % 3));
            gradient.forEach((g, i) => {
              given[i] += g;
              magnitude += Math.abs(g);
            });
            const written = compressWithFeedback(compression, gradient, residual, out, 0, scratch);
            expect(compressedProblem(compression.kind, out, 0, written, n)).toBeNull();
            decompress(compression.kind, out, 0, written, received).forEach((v, i) => (sent[i] += v));
          }
          // float32 rounding in the residual's sums only: far below one gradient's typical value
          const tolerance = 1e-5 * (magnitude / n) * pushes + 1e-6;
          for (let i = 0; i < n; i++) expect(Math.abs(sent[i] + residual[i] - given[i])).toBeLessThanOrEqual(tolerance);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('top-k with feedback sends every value in the end: a residual too small to send now grows until it is sent', () => {
    const n = 100;
    const residual = new Float32Array(n);
    const scratch = new Float32Array(n);
    const out = new Uint8Array(compressedBytes({ kind: 'topk', fraction: 0.1 }, n));
    const reached = new Set<number>();
    const gradient = Float32Array.from({ length: n }, (_, i) => 1 + i / n); // the same every push: larger indices win first
    for (let p = 0; p < 40; p++) {
      const written = compressWithFeedback({ kind: 'topk', fraction: 0.1 }, gradient, residual, out, 0, scratch);
      decompress('topk', out, 0, written, scratch).forEach((v, i) => v !== 0 && reached.add(i));
    }
    expect(reached.size).toBe(n);
  });

  it('a copy kept in step: the receiver adding what the bytes decode to holds the sender\'s copy exactly, and the copy closes on the values', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KINDS), fc.integer({ min: 1, max: 1500 }), fc.integer({ min: 1, max: 1000 }), (compression, n, seed) => {
        let state = seed;
        const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
        const values = Float32Array.from({ length: n }, random);
        const copy = new Float32Array(n);
        const receiver = new Float32Array(n);
        const change = new Float32Array(n);
        const scratch = new Float32Array(n);
        const out = new Uint8Array(compressedBytes(compression, n));
        const gap = () => values.reduce((sum, v, i) => sum + Math.abs(v - copy[i]), 0);
        const first = gap();
        // The values move between sends, as a shard's do between answers.
        for (let round = 0; round < 60; round++) {
          if (round < 20) values.forEach((_, i) => (values[i] += 0.01 * random()));
          const written = compressChange(compression, values, copy, out, 0, change, scratch);
          expect(compressedProblem(compression.kind, out, 0, written, n)).toBeNull();
          const received = decompress(compression.kind, out, 0, written, new Float32Array(n));
          receiver.forEach((_, i) => (receiver[i] += received[i]));
          expect(receiver).toEqual(copy);
        }
        // Forty sends after the values stopped: what compression held back has gone out.
        expect(gap()).toBeLessThanOrEqual(compression.kind === 'f32' ? 1e-6 * n : 0.05 * first + 1e-6 * n);
      }),
      { numRuns: 40 },
    );
  });
});
