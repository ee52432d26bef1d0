import type { LstmpSpec } from '../../ops/nn/lstmp.js';
import { isBiasOrPeephole, layoutOf } from '../network/layout.js';

/** One contiguous slice of the flat parameter vector, served by one parameter-server shard. */
export interface ShardRange {
  readonly index: number;
  readonly count: number;
  /** first element of the slice in the flat buffer */
  readonly offset: number;
  readonly length: number;
}

/**
 * Shard `index` of `count` over `total` parameters: contiguous slices whose
 * lengths differ by at most one, so the shards share the work evenly.
 *
 * @example shardRange(10, 1, 3) // { index: 1, count: 3, offset: 4, length: 3 }
 */
export function shardRange(total: number, index: number, count: number): ShardRange {
  if (!(Number.isInteger(count) && count >= 1 && Number.isInteger(index) && index >= 0 && index < count)) {
    throw new RangeError(`no shard ${index} of ${count}`);
  }
  const start = (i: number) => i * Math.floor(total / count) + Math.min(i, total % count);
  return { index, count, offset: start(index), length: start(index + 1) - start(index) };
}

/** A run of a shard's elements that learns at `factor` × the learning rate. */
export interface RateSegment {
  /** offset within the shard's slice */
  readonly offset: number;
  readonly length: number;
  readonly factor: number;
}

/**
 * The parts of the network's tensors that fall in `range`, each with its
 * learning-rate factor (biases and peepholes at `biasRateFactor`, as in
 * single-machine training), so a shard updates its slice exactly as
 * `sgd` would update those elements.
 */
export function rateSegments(spec: LstmpSpec, range: ShardRange, biasRateFactor: number): RateSegment[] {
  const end = range.offset + range.length;
  return layoutOf(spec)
    .tensors.map((slot) => {
      const from = Math.max(slot.offset, range.offset);
      const to = Math.min(slot.offset + slot.size, end);
      return { offset: from - range.offset, length: to - from, factor: isBiasOrPeephole(slot.name) ? biasRateFactor : 1 };
    })
    .filter((segment) => segment.length > 0);
}
