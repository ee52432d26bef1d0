/**
 * 1-bit quantization (Seide, Fu, Droppo, Li & Yu, "1-bit stochastic gradient
 * descent and its application to data-parallel distributed training of
 * speech DNNs", Interspeech 2014): each value keeps its sign only, and
 * stands for the mean of the values of that sign in its block, so a block's
 * sum survives exactly. Blocks of {@link ONE_BIT_BLOCK} values take the place
 * of the paper's matrix columns (a flat parameter slice has no columns),
 * small enough that one block rarely spans two tensors.
 *
 * Layout of n values in B = ⌈n / 512⌉ blocks: B float32 pairs (the mean of
 * the block's values ≥ 0, then of those < 0; little-endian), then ⌈n / 8⌉
 * bytes of sign bits (bit i % 8 of byte i / 8 set where value i < 0).
 */

/** Values per block, each with its own pair of reconstruction values. */
export const ONE_BIT_BLOCK = 512;

/** The bytes n values take. */
export function oneBitBytes(n: number): number {
  return 8 * Math.ceil(n / ONE_BIT_BLOCK) + Math.ceil(n / 8);
}

/**
 * `values` quantized to one bit each into `out` from byte `offset`, in the
 * layout above. Returns the bytes written ({@link oneBitBytes}).
 *
 * @example encodeOneBit(Float32Array.of(3, 1, -2), out, 0) // decodes as 2, 2, -2
 */
export function encodeOneBit(values: Float32Array, out: Uint8Array, offset: number): number {
  const n = values.length;
  const blocks = Math.ceil(n / ONE_BIT_BLOCK);
  const signs = offset + 8 * blocks;
  const means = new DataView(out.buffer, out.byteOffset + offset, 8 * blocks);
  for (let b = 0; b < blocks; b++) {
    const start = b * ONE_BIT_BLOCK;
    const end = Math.min(n, start + ONE_BIT_BLOCK);
    let positive = 0;
    let positives = 0;
    let negative = 0;
    // A byte of signs at a time (blocks are whole bytes: 512 = 64 × 8).
    for (let i = start; i < end; i += 8) {
      let byte = 0;
      const last = Math.min(end, i + 8);
      for (let j = i; j < last; j++) {
        const v = values[j];
        if (v < 0) {
          negative += v;
          byte |= 1 << (j - i);
        } else {
          positive += v;
          positives++;
        }
      }
      out[signs + (i >>> 3)] = byte;
    }
    const negatives = end - start - positives;
    means.setFloat32(8 * b, positives === 0 ? 0 : positive / positives, true);
    means.setFloat32(8 * b + 4, negatives === 0 ? 0 : negative / negatives, true);
  }
  return 8 * blocks + Math.ceil(n / 8);
}

/** 1-bit `bytes` (the layout above, from byte `offset`) into `target`'s values. */
export function decodeOneBit(bytes: Uint8Array, offset: number, target: Float32Array): Float32Array {
  const n = target.length;
  const blocks = Math.ceil(n / ONE_BIT_BLOCK);
  const signs = offset + 8 * blocks;
  const means = new DataView(bytes.buffer, bytes.byteOffset + offset, 8 * blocks);
  for (let b = 0; b < blocks; b++) {
    const positive = means.getFloat32(8 * b, true);
    const negative = means.getFloat32(8 * b + 4, true);
    const start = b * ONE_BIT_BLOCK;
    const end = Math.min(n, start + ONE_BIT_BLOCK);
    for (let i = start; i < end; i += 8) {
      const byte = bytes[signs + (i >>> 3)];
      const last = Math.min(end, i + 8);
      for (let j = i; j < last; j++) target[j] = byte & (1 << (j - i)) ? negative : positive;
    }
  }
  return target;
}
