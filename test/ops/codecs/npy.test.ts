import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy, type NpyArray } from '../../../src/ops/codecs/npy.js';

/** A .npy file as numpy would write it, header text given, padded to 64 bytes. */
function npyBytes(dict: string, data: Uint8Array = new Uint8Array(0), major = 1): Uint8Array {
  const prefix = major === 1 ? 10 : 12;
  const length = Math.ceil((prefix + dict.length + 1) / 64) * 64 - prefix;
  const header = new TextEncoder().encode(dict.padEnd(length - 1, ' ') + '\n');
  const out = new Uint8Array(prefix + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(header, prefix);
  out.set(data, prefix + header.length);
  return out;
}

function leftOf<A>(either: E.Either<string, A>): string {
  if (E.isRight(either)) throw new Error('expected a refusal');
  return either.left;
}

const arrayArbitrary: fc.Arbitrary<NpyArray> = fc
  .tuple(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 4 }), fc.boolean())
  .chain(([shape, float]) => {
    const size = shape.reduce((a, b) => a * b, 1);
    return float
      ? fc.float32Array({ minLength: size, maxLength: size }).map((data): NpyArray => ({ dtype: 'float32', shape, data }))
      : fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: size, maxLength: size })
          .map((values): NpyArray => ({ dtype: 'int32', shape, data: Int32Array.from(values) }));
  });

describe('encodeNpy', () => {
  it('writes the header numpy writes, data 64-byte aligned', () => {
    const bytes = encodeNpy({ dtype: 'float32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) });
    const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    expect(bytes).toEqual(npyBytes(dict, new Uint8Array(Float32Array.from([1, 2, 3, 4, 5, 6]).buffer)));
    expect(bytes.length).toBe(128 + 24);
    expect(bytes[127]).toBe(0x0a); // the header ends with a newline
  });

  it('writes one-element and empty shapes as Python tuples', () => {
    const text = (a: NpyArray) => new TextDecoder().decode(encodeNpy(a)).split('\n')[0];
    expect(text({ dtype: 'int32', shape: [3], data: Int32Array.of(1, 2, 3) })).toContain("'shape': (3,), }");
    expect(text({ dtype: 'int32', shape: [], data: Int32Array.of(7) })).toContain("'descr': '<i4', 'fortran_order': False, 'shape': (), }");
  });

  it('refuses data that does not match the shape or dtype', () => {
    expect(() => encodeNpy({ dtype: 'float32', shape: [2], data: new Float32Array(3) })).toThrow(RangeError);
    expect(() => encodeNpy({ dtype: 'int32', shape: [2], data: new Float32Array(2) })).toThrow(TypeError);
  });
});

describe('decodeNpy', () => {
  it('round-trips any shape and values, bit for bit', () => {
    fc.assert(
      fc.property(arrayArbitrary, (array) => {
        const decoded = decodeNpy(encodeNpy(array));
        expect(E.isRight(decoded)).toBe(true);
        if (E.isLeft(decoded)) return;
        expect(decoded.right.dtype).toBe(array.dtype);
        expect(decoded.right.shape).toEqual(array.shape);
        expect(new Uint8Array(decoded.right.data.buffer)).toEqual(new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength));
        expect(decoded.right.data.constructor).toBe(array.data.constructor);
      }),
    );
  });

  it('copies the data into an aligned array even when the input is unaligned', () => {
    const bytes = encodeNpy({ dtype: 'float32', shape: [2], data: Float32Array.of(1.5, -2) });
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const decoded = decodeNpy(shifted.subarray(1));
    expect(decoded).toEqual(E.right({ dtype: 'float32', shape: [2], data: Float32Array.of(1.5, -2) }));
    shifted.fill(0);
    expect(E.isRight(decoded) && decoded.right.data[0]).toBe(1.5);
  });

  it('reads format 2.0 and 3.0 headers, other quoting and spacing', () => {
    const data = new Uint8Array(Int32Array.of(5, 6).buffer);
    for (const major of [2, 3]) {
      expect(decodeNpy(npyBytes("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", data, major)))
        .toEqual(E.right({ dtype: 'int32', shape: [2], data: Int32Array.of(5, 6) }));
    }
    expect(decodeNpy(npyBytes('{"shape":(1,2),"fortran_order":False,"descr":"<i4"}', data)))
      .toEqual(E.right({ dtype: 'int32', shape: [1, 2], data: Int32Array.of(5, 6) }));
  });

  it.each([
    ['bad magic', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), 'not a .npy file (bad magic)'],
    ['empty input', new Uint8Array(0), 'not a .npy file (bad magic)'],
    ['an unknown version', (() => { const b = encodeNpy({ dtype: 'int32', shape: [], data: Int32Array.of(1) }); b[6] = 4; return b; })(), 'unsupported .npy version 4.0'],
    ['a header longer than the file', encodeNpy({ dtype: 'int32', shape: [], data: Int32Array.of(1) }).subarray(0, 40), 'truncated header'],
    ['big-endian float32', npyBytes("{'descr': '>f4', 'fortran_order': False, 'shape': (), }", new Uint8Array(4)), "big-endian data ('>f4') is not supported"],
    ['float64', npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", new Uint8Array(8)), "unsupported dtype '<f8' (only '<f4' float32 and '<i4' int32)"],
    ['a structured dtype', npyBytes("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (), }"), 'unsupported dtype (structured arrays are not supported)'],
    ['Fortran order', npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", new Uint8Array(4)), 'Fortran order is not supported (save with C order)'],
    ['truncated data', npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", new Uint8Array(8)), 'truncated data (shape (3,) needs 12 bytes, found 8)'],
    ['extra data', npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1), }", new Uint8Array(12)), 'size mismatch (shape (2, 1) needs 8 bytes, found 12)'],
    ['a missing key', npyBytes("{'descr': '<f4', 'fortran_order': False}"), "malformed header (no 'shape')"],
    ['an extra key', npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': True}", new Uint8Array(4)), "malformed header (unexpected key 'x')"],
    ['a duplicate key', npyBytes("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': ()}"), "malformed header (duplicate key 'descr')"],
    ['a one-element shape without its comma', npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3)}"), "malformed header (bad value for 'shape')"],
    ['a negative dimension', npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}"), "malformed header (bad value for 'shape')"],
    ['a list shape', npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': [3]}"), "malformed header (bad value for 'shape')"],
    ['a string shape', npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': '3'}"), "malformed header ('shape' is not a tuple)"],
    ['a numeric fortran_order', npyBytes("{'descr': '<f4', 'fortran_order': 0, 'shape': ()}"), "malformed header (bad value for 'fortran_order')"],
    ['text after the dict', npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': ()} x", new Uint8Array(4)), 'malformed header (text after the dict)'],
    ['no dict', npyBytes('hello'), 'malformed header (no dict)'],
    ['an unterminated dict', npyBytes("{'descr': '<f4'"), "malformed header (expected ',' or '}')"],
  ])('refuses %s', (_, bytes, message) => {
    expect(leftOf(decodeNpy(bytes))).toBe(message);
  });

  it('refuses a header that is not text in a 3.0 file', () => {
    const bytes = npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", new Uint8Array(4), 3);
    bytes[13] = 0xff;
    expect(leftOf(decodeNpy(bytes))).toBe('malformed header (not text)');
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, withMagic) => {
        if (withMagic) bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0].slice(0, bytes.length));
        const decoded = decodeNpy(bytes);
        if (E.isLeft(decoded)) expect(decoded.left).toMatch(/^[^\n]{1,200}$/);
      }),
    );
  });

  it('never throws on valid files with bytes flipped, cut or inserted', () => {
    fc.assert(
      fc.property(
        arrayArbitrary,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'cut', 'insert')), { minLength: 1, maxLength: 4 }),
        (array, edits) => {
          let bytes = encodeNpy(array);
          for (const [at, value, kind] of edits) {
            const i = at % (bytes.length + 1);
            if (kind === 'set' && i < bytes.length) bytes[i] = value;
            else if (kind === 'cut') bytes = bytes.subarray(0, i);
            else bytes = Uint8Array.from([...bytes.subarray(0, i), value, ...bytes.subarray(i)]);
          }
          const decoded = decodeNpy(bytes);
          if (E.isRight(decoded)) expect(decoded.right.data.length).toBe(decoded.right.shape.reduce((a, b) => a * b, 1));
          else expect(decoded.left).toMatch(/^[^\n]{1,200}$/);
        },
      ),
    );
  });
});
