import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compressionName, parseCompression } from '../../../src/model/cluster/compression.js';

describe('parseCompression', () => {
  it('reads none, bf16, 1bit and topk:F', () => {
    expect(parseCompression('none')).toEqual(E.right({ kind: 'f32' }));
    expect(parseCompression('bf16')).toEqual(E.right({ kind: 'bf16' }));
    expect(parseCompression('1bit')).toEqual(E.right({ kind: '1bit' }));
    expect(parseCompression('topk:0.01')).toEqual(E.right({ kind: 'topk', fraction: 0.01 }));
    expect(parseCompression('topk:1')).toEqual(E.right({ kind: 'topk', fraction: 1 }));
  });

  it('says what is wrong with anything else', () => {
    expect(parseCompression('zip')).toEqual(E.left('expected none, bf16, 1bit or topk:F (F in (0, 1]), got "zip"'));
    for (const bad of ['topk:', 'topk:0', 'topk:-0.1', 'topk:1.5', 'topk:x', 'topk:NaN']) {
      expect(parseCompression(bad)).toEqual(E.left(`topk:F takes the fraction of values kept, in (0, 1], e.g. topk:0.01; got "${bad}"`));
    }
  });

  it('names every compression it reads so that it reads it back', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom('none', 'bf16', '1bit'), fc.double({ min: 1e-6, max: 1, noNaN: true }).map((f) => `topk:${f}`)), (text) => {
        const parsed = parseCompression(text);
        if (E.isLeft(parsed)) throw new Error(parsed.left);
        expect(parseCompression(compressionName(parsed.right))).toEqual(parsed);
      }),
    );
  });
});
