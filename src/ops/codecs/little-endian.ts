/**
 * 32-bit typed arrays to and from little-endian bytes, the byte order of
 * .npy files and checkpoints. On a little-endian host (every platform Node
 * ships for but s390x) these are plain copies or views; elsewhere they swap.
 */

const littleEndianHost = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/**
 * A fresh, aligned array of `count` 32-bit values read from little-endian
 * `bytes` at `offset` (which need not be aligned).
 *
 * @example fromLittleEndian(Float32Array, bytes, 128, 6) // 6 floats from byte 128
 */
export function fromLittleEndian<A extends Float32Array | Int32Array>(
  make: new (length: number) => A,
  bytes: Uint8Array,
  offset: number,
  count: number,
): A {
  return readLittleEndian(bytes, offset, new make(count));
}

/**
 * Fills `target` with the 32-bit values read from little-endian `bytes` at
 * `offset` (which need not be aligned), reusing the caller's memory.
 *
 * @example readLittleEndian(message.gradient, 0, scratch)
 */
export function readLittleEndian<A extends Float32Array | Int32Array>(bytes: Uint8Array, offset: number, target: A): A {
  const view = new Uint8Array(target.buffer, target.byteOffset, target.byteLength);
  view.set(bytes.subarray(offset, offset + target.byteLength));
  if (!littleEndianHost) swapWords(view);
  return target;
}

/**
 * The little-endian bytes of `array`: a view sharing its memory on a
 * little-endian host (do not modify one while using the other), a swapped copy elsewhere.
 *
 * @example littleEndianBytes(Float32Array.of(1)) // Uint8Array [0, 0, 128, 63]
 */
export function littleEndianBytes(array: Float32Array | Int32Array): Uint8Array {
  const view = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  if (littleEndianHost) return view;
  const copy = view.slice();
  swapWords(copy);
  return copy;
}

function swapWords(bytes: Uint8Array): void {
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    const b0 = bytes[i];
    const b1 = bytes[i + 1];
    bytes[i] = bytes[i + 3];
    bytes[i + 1] = bytes[i + 2];
    bytes[i + 2] = b1;
    bytes[i + 3] = b0;
  }
}
