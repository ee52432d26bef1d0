import { littleEndianBytes, readLittleEndian } from '../codecs/little-endian.js';
import { decodeBfloat16, encodeBfloat16 } from './bfloat16.js';
import { decodeOneBit, encodeOneBit, oneBitBytes } from './one-bit.js';
import { decodeTopK, encodeTopK, topKCount, topKProblem } from './top-k.js';

/**
 * How a gradient travels: `f32` as it is; `bf16` in half the bytes; `1bit`
 * one bit a value ({@link encodeOneBit}); `topk` only the largest `fraction`
 * of its values ({@link encodeTopK}).
 */
export type Compression =
  | { readonly kind: 'f32' }
  | { readonly kind: 'bf16' }
  | { readonly kind: '1bit' }
  | { readonly kind: 'topk'; readonly fraction: number };

export type CompressionKind = Compression['kind'];

/** The bytes n values take compressed. */
export function compressedBytes(compression: Compression, n: number): number {
  switch (compression.kind) {
    case 'f32':
      return 4 * n;
    case 'bf16':
      return 2 * n;
    case '1bit':
      return oneBitBytes(n);
    case 'topk':
      return 8 * topKCount(n, compression.fraction);
  }
}

/**
 * `values` compressed into `out` from byte `offset` (room for
 * {@link compressedBytes}); `scratch`, as long as `values`, is working
 * memory for top-k. Returns the bytes written.
 */
export function compress(compression: Compression, values: Float32Array, out: Uint8Array, offset: number, scratch: Float32Array): number {
  switch (compression.kind) {
    case 'f32':
      out.set(littleEndianBytes(values), offset);
      return 4 * values.length;
    case 'bf16':
      return encodeBfloat16(values, out, offset);
    case '1bit':
      return encodeOneBit(values, out, offset);
    case 'topk':
      return encodeTopK(values, topKCount(values.length, compression.fraction), out, offset, scratch);
  }
}

/**
 * What is wrong with `length` bytes at `offset` as `kind`-compressed values
 * for a slice of n values, or null. Every kind but top-k has one size for n;
 * top-k's pairs must lie in the slice, in order.
 */
export function compressedProblem(kind: CompressionKind, bytes: Uint8Array, offset: number, length: number, n: number): string | null {
  if (kind === 'topk') return topKProblem(bytes, offset, length, n);
  const expected = compressedBytes({ kind }, n);
  return length === expected ? null : `${length} bytes of ${kind} values, expected ${expected} for ${n} values`;
}

/** `length` `kind`-compressed bytes at `offset` (checked by {@link compressedProblem}) into `target`. */
export function decompress(kind: CompressionKind, bytes: Uint8Array, offset: number, length: number, target: Float32Array): Float32Array {
  switch (kind) {
    case 'f32':
      return readLittleEndian(bytes, offset, target);
    case 'bf16':
      return decodeBfloat16(bytes, offset, target);
    case '1bit':
      return decodeOneBit(bytes, offset, target);
    case 'topk':
      return decodeTopK(bytes, offset, length, target);
  }
}

/**
 * Compression with error feedback (Seide et al. 2014): what was not sent
 * last time is added to this gradient before it is compressed, and what
 * this compression loses is kept for the next. Over any number of pushes,
 * what was sent plus `residual` sums to the gradients given. `residual` (as
 * long as `gradient`, zero at first) is updated in place; `scratch` is
 * working memory of the same length. Returns the bytes written to `out`.
 *
 * @example
 * const sent = compressWithFeedback({ kind: '1bit' }, gradient, residual, out, 0, scratch)
 */
export function compressWithFeedback(
  compression: Compression,
  gradient: Float32Array,
  residual: Float32Array,
  out: Uint8Array,
  offset: number,
  scratch: Float32Array,
): number {
  const n = gradient.length;
  for (let i = 0; i < n; i++) residual[i] += gradient[i];
  const written = compress(compression, residual, out, offset, scratch);
  if (compression.kind === 'f32') {
    residual.fill(0);
    return written;
  }
  decompress(compression.kind, out, offset, written, scratch);
  for (let i = 0; i < n; i++) residual[i] -= scratch[i];
  return written;
}

/**
 * A copy kept in step across the network: compresses the change from
 * `copy` (what the other side holds) to `values` into `out`, and moves
 * `copy` by what those bytes decode to, as the other side does when it adds
 * them to its own copy. What compression loses stays in `values − copy`
 * and goes with the next change: error feedback, with `copy` as the
 * residual's other half. `change` and `scratch`, as long as `values`, are
 * working memory. Returns the bytes written.
 *
 * @example
 * const n = compressChange({ kind: '1bit' }, values, sentToWorker, out, 0, change, scratch)
 * // the worker: decompress('1bit', out, 0, n, change); base[i] += change[i]
 */
export function compressChange(
  compression: Compression,
  values: Float32Array,
  copy: Float32Array,
  out: Uint8Array,
  offset: number,
  change: Float32Array,
  scratch: Float32Array,
): number {
  const n = values.length;
  for (let i = 0; i < n; i++) change[i] = values[i] - copy[i];
  const written = compress(compression, change, out, offset, scratch);
  decompress(compression.kind, out, offset, written, change);
  for (let i = 0; i < n; i++) copy[i] += change[i];
  return written;
}
