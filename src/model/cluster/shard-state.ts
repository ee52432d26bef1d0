import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { fromLittleEndian, littleEndianBytes } from '../../ops/codecs/little-endian.js';
import { allFinite, sgdStep } from '../../ops/kernels/portable/update.js';
import { decodeModelConfig, type ModelConfig } from '../network/config.js';
import { describeErrors, NonNegativeInt, PositiveInt } from '../codec.js';
import { layoutOf } from '../network/layout.js';
import { learningRateAt, type Schedule } from '../network/schedule.js';
import { rateSegments, shardRange, type RateSegment, type ShardRange } from './shards.js';
import { Bin, isMap, plainMsgpack, unpackWhole } from '../formats/tensors.js';

/** What one parameter-server shard holds: its slice of the parameters and where its schedule stands. */
export interface ShardState {
  readonly config: ModelConfig;
  readonly range: ShardRange;
  readonly values: Float32Array;
  /** the momentum of each value (all zeros without momentum) */
  readonly velocity: Float32Array;
  /** frames of every gradient applied so far: the schedule's clock */
  framesSeen: number;
  updates: number;
  /**
   * The last push applied from each worker's thread, by `worker/thread`: a
   * push sent again (its reply was lost) is recognised and not applied twice.
   * Saved with the state, so it holds across a restart too.
   */
  readonly applied: Map<string, number>;
}

/**
 * Who sent a push: the worker (its client's random name, new each time a
 * worker starts), the thread, and the push's number in that thread's pushes,
 * which go one at a time, in order.
 */
export interface PushIdentity {
  readonly worker: string;
  readonly thread: number;
  readonly sequence: number;
}

/** The threads whose last push a shard remembers, the longest unheard-from forgotten first. */
export const APPLIED_LIMIT = 4096;

/** A fresh shard `index` of `count` over the parameters `all` (from an initial or trained checkpoint). */
export function shardOf(config: ModelConfig, all: Float32Array, index: number, count: number, framesSeen = 0): ShardState {
  const range = shardRange(all.length, index, count);
  const values = all.slice(range.offset, range.offset + range.length);
  return { config, range, values, velocity: new Float32Array(range.length), framesSeen, updates: 0, applied: new Map() };
}

/**
 * Applies one pushed gradient piece, summed over `frames` frames, to the
 * shard: single-machine SGD (`sgd`) restricted to this slice, at the rate the
 * schedule gives after the frames this shard has seen. A push with an
 * identity is applied once: one that is not newer than the last applied from
 * its thread is left out. Returns whether it was applied. The caller has
 * checked the piece's length and finiteness.
 */
export function applyPush(state: ShardState, segments: readonly RateSegment[], schedule: Schedule, gradient: Float32Array, frames: number, id?: PushIdentity): boolean {
  if (!firstTime(state, id)) return false;
  const learningRate = learningRateAt(schedule, state.framesSeen);
  // Plain SGD leaves the velocity at zero: the step then reads and writes only the values.
  const velocity = schedule.momentum === 0 ? null : state.velocity;
  for (const segment of segments) {
    sgdStep(state.values, velocity, gradient, segment.offset, segment.length, learningRate * segment.factor, schedule.momentum, schedule.gradientClip);
  }
  state.framesSeen += frames;
  state.updates++;
  return true;
}

/**
 * Adds one pushed delta piece to the shard's values: what a worker's own SGD
 * changed in this slice over `frames` frames and `updates` SGD steps since
 * it last fetched (local SGD). The shard adds what it is sent: a worker
 * that pushes 1/W of its change makes the shard hold the average of W
 * workers' models, one that pushes all of it their sum. The schedule and
 * momentum are the worker's business then; only the shard's counts move.
 * Applied once, as {@link applyPush} is; returns whether it was applied. The
 * caller has checked the piece's length and finiteness.
 */
export function applyDelta(state: ShardState, delta: Float32Array, frames: number, updates: number, id?: PushIdentity): boolean {
  if (!firstTime(state, id)) return false;
  const values = state.values;
  for (let i = 0; i < values.length; i++) values[i] += delta[i];
  state.framesSeen += frames;
  state.updates += updates;
  return true;
}

/**
 * Whether a push is new, recording it if so: one that is not newer than the
 * last applied from its thread was applied already (its reply was lost).
 */
function firstTime(state: ShardState, id: PushIdentity | undefined): boolean {
  if (!id) return true;
  const key = `${id.worker}/${id.thread}`;
  const last = state.applied.get(key);
  if (last !== undefined && id.sequence <= last) return false;
  // Map order is the order threads were last heard from.
  state.applied.delete(key);
  state.applied.set(key, id.sequence);
  if (state.applied.size > APPLIED_LIMIT) state.applied.delete(state.applied.keys().next().value as string);
  return true;
}

/** The segments of `state`'s slice, each with its learning-rate factor. */
export function segmentsOf(state: ShardState, schedule: Schedule): RateSegment[] {
  return rateSegments(state.config, state.range, schedule.biasRateFactor);
}

const SHARD_FORMAT = 'lstmp-shard';
const SHARD_VERSION = 1;

const SavedShard = t.type({
  format: t.literal(SHARD_FORMAT),
  version: t.literal(SHARD_VERSION),
  config: t.unknown,
  index: NonNegativeInt,
  count: PositiveInt,
  values: Bin,
  velocity: Bin,
  framesSeen: NonNegativeInt,
  updates: NonNegativeInt,
});
/** Files of earlier versions have no `applied`. */
const SavedApplied = t.partial({ applied: t.record(t.string, NonNegativeInt) });

/** A shard's state as MessagePack, for its state file. */
export function encodeShardState(state: ShardState): Uint8Array {
  return plainMsgpack.pack({
    format: SHARD_FORMAT,
    version: SHARD_VERSION,
    config: state.config,
    index: state.range.index,
    count: state.range.count,
    values: littleEndianBytes(state.values),
    velocity: littleEndianBytes(state.velocity),
    framesSeen: state.framesSeen,
    updates: state.updates,
    applied: Object.fromEntries(state.applied),
  });
}

/** A state file read back, checked whole: format, config, the slice's size, finite values. */
export function decodeShardState(bytes: Uint8Array): E.Either<string, ShardState> {
  const unpacked = unpackWhole(bytes);
  if (E.isLeft(unpacked)) return unpacked;
  if (!isMap(unpacked.right) || unpacked.right.format !== SHARD_FORMAT) return E.left('not an lstmp shard state');
  const saved = t.intersection([SavedShard, SavedApplied]).decode(unpacked.right);
  if (E.isLeft(saved)) return E.left(describeErrors(saved.left));
  const config = decodeModelConfig(saved.right.config);
  if (E.isLeft(config)) return config;
  const { index, count, values, velocity, framesSeen, updates, applied } = saved.right;
  if (index >= count) return E.left(`shard ${index} of ${count} does not exist`);
  const range = shardRange(layoutOf(config.right).size, index, count);
  if (values.length !== 4 * range.length || velocity.length !== 4 * range.length) {
    return E.left(`shard ${index}/${count} of this network holds ${range.length} values, the file ${values.length / 4}`);
  }
  const state: ShardState = {
    config: config.right,
    range,
    values: fromLittleEndian(Float32Array, values, 0, range.length),
    velocity: fromLittleEndian(Float32Array, velocity, 0, range.length),
    framesSeen,
    updates,
    applied: new Map(Object.entries(applied ?? {})),
  };
  if (!allFinite(state.values) || !allFinite(state.velocity)) return E.left('holds NaN or Inf values');
  return E.right(state);
}
