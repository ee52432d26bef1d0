/**
 * Top-k sparsification (Strom, "Scalable distributed DNN training using
 * commodity GPU cloud computing", Interspeech 2015; Aji & Heafield 2017):
 * only the k values largest in magnitude are sent, as (index, value) pairs;
 * the rest count as 0.
 *
 * Layout: k uint32 indices in ascending order, then the k float32 values,
 * both little-endian: 8 bytes a value kept.
 */


/** How many of n values `fraction` keeps: at least one of a non-empty slice. */
export function topKCount(n: number, fraction: number): number {
  return n === 0 ? 0 : Math.min(n, Math.max(1, Math.ceil(fraction * n)));
}

/**
 * The k-th largest of `magnitudes` (1-based), found in place by
 * quickselect (the array is reordered). Median-of-three pivots, no
 * randomness: the same input gives the same answer.
 */
export function kthLargestInPlace(magnitudes: Float32Array, k: number): number {
  let lo = 0;
  let hi = magnitudes.length - 1;
  const want = k - 1; // index in descending order
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const a = magnitudes[lo];
    const b = magnitudes[mid];
    const c = magnitudes[hi];
    const pivot = a > b ? (b > c ? b : a > c ? c : a) : a > c ? a : b > c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (magnitudes[i] > pivot) i++;
      while (magnitudes[j] < pivot) j--;
      if (i <= j) {
        const t = magnitudes[i];
        magnitudes[i] = magnitudes[j];
        magnitudes[j] = t;
        i++;
        j--;
      }
    }
    if (want <= j) hi = j;
    else if (want >= i) lo = i;
    else return magnitudes[want];
  }
  return magnitudes[want];
}

/**
 * The `k` values of `values` largest in magnitude, as (index, value) pairs
 * into `out` from byte `offset` (ties broken by the lower index).
 * `scratch` (as long as `values`) holds magnitudes while the threshold is
 * found, so nothing is allocated. Returns the bytes written (8k).
 *
 * @example encodeTopK(Float32Array.of(0.1, -3, 2), 2, out, 0, scratch) // indices 1, 2; values -3, 2
 */
export function encodeTopK(values: Float32Array, k: number, out: Uint8Array, offset: number, scratch: Float32Array): number {
  const n = values.length;
  if (k === 0) return 0;
  for (let i = 0; i < n; i++) scratch[i] = Math.abs(values[i]);
  const threshold = kthLargestInPlace(scratch.subarray(0, n), k);
  let above = 0;
  for (let i = 0; i < n; i++) if (Math.abs(values[i]) > threshold) above++;
  // Every value above the threshold goes, and as many equal to it as fill k, lowest index first.
  let ties = k - above;
  const indices = new DataView(out.buffer, out.byteOffset + offset, 8 * k);
  let kept = 0;
  for (let i = 0; i < n && kept < k; i++) {
    const magnitude = Math.abs(values[i]);
    if (magnitude > threshold || (magnitude === threshold && ties-- > 0)) {
      indices.setUint32(4 * kept, i, true);
      indices.setFloat32(4 * k + 4 * kept, values[i], true);
      kept++;
    }
  }
  // Only a NaN is neither above nor equal to the threshold: fewer than k pairs would be stale bytes.
  if (kept < k) throw new RangeError('top-k: the values hold NaN');
  return 8 * k;
}

/**
 * What is wrong with top-k `bytes` (from byte `offset`, `length` bytes) for
 * a slice of n values, or null: a length that is not pairs, more pairs
 * than values, indices out of range or not ascending.
 */
export function topKProblem(bytes: Uint8Array, offset: number, length: number, n: number): string | null {
  if (length % 8 !== 0) return `${length} bytes are not whole (index, value) pairs`;
  const k = length / 8;
  if (k > n) return `holds ${k} pairs for ${n} values`;
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, length);
  let previous = -1;
  for (let p = 0; p < k; p++) {
    const index = view.getUint32(4 * p, true);
    if (index >= n) return `index ${index} is past the ${n} values`;
    if (index <= previous) return `indices are not ascending (${index} after ${previous})`;
    previous = index;
  }
  return null;
}

/** Top-k `bytes` (`length` of them from byte `offset`; checked by {@link topKProblem}) into `target`: zeros but the pairs. */
export function decodeTopK(bytes: Uint8Array, offset: number, length: number, target: Float32Array): Float32Array {
  const k = length / 8;
  target.fill(0);
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, length);
  for (let p = 0; p < k; p++) target[view.getUint32(4 * p, true)] = view.getFloat32(4 * k + 4 * p, true);
  return target;
}

