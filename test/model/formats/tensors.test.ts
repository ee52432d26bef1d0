import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { pack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { decodeTensor, encodeTensor, isMap, plainMsgpack, unpackWhole } from '../../../src/model/formats/tensors.js';

describe('tensor records', () => {
  it('encode data as the bytes of the array, decoded back into a fresh aligned copy', () => {
    fc.assert(
      fc.property(fc.float32Array({ maxLength: 20, noNaN: true, noDefaultInfinity: true }), fc.nat(3), (values, pad) => {
        const record = encodeTensor([values.length], values);
        expect(record.data).toEqual(new Uint8Array(values.buffer));
        // packed and unpacked at an odd offset, the decoded array must still be aligned and equal
        const packed = plainMsgpack.pack(record);
        const shifted = new Uint8Array(packed.length + pad);
        shifted.set(packed, pad);
        const unpacked = plainMsgpack.unpack(shifted.subarray(pad));
        const decoded = decodeTensor('t', unpacked, [values.length]);
        expect(decoded).toEqual(E.right(values));
        if (E.isRight(decoded)) expect(decoded.right.byteOffset % 4).toBe(0);
      }),
    );
  });

  it('write bin 8, 16 and 32 by size, never an extension type', () => {
    for (const [n, header] of [[10, 0xc4], [100, 0xc5], [20000, 0xc6]] as const) {
      const bytes = plainMsgpack.pack(encodeTensor([n], new Float32Array(n)).data);
      expect(bytes[0]).toBe(header);
    }
  });

  it('tell maps from arrays, bins and extension objects', () => {
    expect(isMap(plainMsgpack.unpack(pack({ a: 1 })))).toBe(true);
    expect(isMap(plainMsgpack.unpack(pack({})))).toBe(true);
    for (const other of [[1], Buffer.from([1]), new Date(0), 'x', 1, null]) expect(isMap(plainMsgpack.unpack(pack(other)))).toBe(false);
  });

  it('unpack exactly one whole value', () => {
    expect(unpackWhole(pack({ a: [1, 2] }))).toEqual(E.right({ a: [1, 2] }));
    expect(unpackWhole(Uint8Array.of(0x92, 1))).toEqual(E.left('truncated (unexpected end of data)'));
    expect(unpackWhole(Uint8Array.of(1, 2))).toEqual(E.left('trailing bytes after the data'));
  });
});
