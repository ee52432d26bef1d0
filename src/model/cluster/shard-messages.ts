import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import { littleEndianBytes, readLittleEndian } from '../../ops/codecs/little-endian.js';
import { describeErrors, NonNegativeInt, numberWhere, PositiveInt } from '../codec.js';
import { Bin, plainMsgpack, unpackWhole } from '../formats/tensors.js';

/**
 * The messages between workers and parameter-server shards, each one
 * MessagePack map; float32 values travel as little-endian bin, never as
 * number arrays. Every message from the network is decoded by its codec
 * here, and refused in words when it is not what it claims.
 */

const Finite = t.refinement(t.number, Number.isFinite, 'a finite number');

/** What a shard serves: asked once by each worker, and by the cluster to follow progress. */
export const ShardInfoCodec = t.intersection([
  t.type({
  /** {@link modelIdentity} of the network */
  model: t.string,
  /** the network's config, so a worker needs nothing but the shards' addresses */
  config: t.unknown,
  index: NonNegativeInt,
  count: PositiveInt,
  offset: NonNegativeInt,
  length: NonNegativeInt,
  framesSeen: NonNegativeInt,
  updates: NonNegativeInt,
  learningRate: Finite,
  /** calls refused so far, by reason */
  refused: t.record(t.string, NonNegativeInt),
  }),
  t.partial({
    /** pushes received again and not applied again (their replies were lost); shards of earlier versions do not say */
    repeated: NonNegativeInt,
    /** bytes of the gradients in the pushes it applied, and how many pushes */
    received: t.type({ bytes: NonNegativeInt, pushes: NonNegativeInt }),
    /** the staleness bound (absent: none) and the replies it holds back now */
    staleness: t.type({ bound: NonNegativeInt, waiting: NonNegativeInt }),
    /** the shard's learning-rate schedule, which workers that push deltas run themselves (decoded by `decodeSchedule`) */
    schedule: t.unknown,
  }),
]);
export type ShardInfo = t.TypeOf<typeof ShardInfoCodec>;

/** Who sent a push ({@link PushIdentity}): a push sent again is applied once. */
const PushIdentityCodec = t.type({ worker: t.string, thread: NonNegativeInt, sequence: NonNegativeInt });

/** How a push's gradient bytes are compressed (ops/compression); float32 when a push does not say. */
export const EncodingCodec = t.keyof({ f32: null, bf16: null, '1bit': null, topk: null }, 'f32, bf16, 1bit or topk');

const Fraction = numberWhere('a fraction in (0, 1]', (n) => n > 0 && n <= 1);

/** A compression (ops/compression), as a push names the one its answer may use. */
export const CompressionCodec = t.union([
  t.type({ kind: t.keyof({ f32: null, bf16: null, '1bit': null }) }),
  t.type({ kind: t.literal('topk'), fraction: Fraction }),
]);

/**
 * What a push carries: a gradient the shard applies with its schedule (the default), or a delta, what
 * the worker's own SGD changed, which the shard adds to its values.
 */
export const PushedCodec = t.keyof({ gradient: null, delta: null }, 'gradient or delta');
export type Pushed = t.TypeOf<typeof PushedCodec>;

/**
 * A gradient (or delta) piece for one shard, summed over `frames` frames; with `fetch` the shard
 * answers with its fresh values. With `id`, a push the shard has already applied is not applied
 * again. With `encoding`, the bytes are compressed so (float32 otherwise). A delta says how many SGD
 * steps it holds (`updates`, 1 when it does not say), which the shard counts as its updates. With
 * `answerAs`, a fetching push with an identity may be answered with the change since the values
 * last sent to its thread, compressed so (see {@link ShardValuesCodec}); `since` is the `tag` of the
 * answer whose values the thread holds, so that the shard sends a change only from those.
 */
export const PushCodec = t.intersection([
  t.type({ model: t.string, frames: NonNegativeInt, gradient: Bin, fetch: t.boolean }),
  t.partial({ id: PushIdentityCodec, encoding: EncodingCodec, pushed: PushedCodec, updates: NonNegativeInt, answerAs: CompressionCodec, since: NonNegativeInt }),
]);
export type Push = t.TypeOf<typeof PushCodec>;

/** A worker's threads are done: `worker` is its clients' name in push identities. */
export const LeaveCodec = t.type({ model: t.string, worker: t.string });
export type Leave = t.TypeOf<typeof LeaveCodec>;

/** Asks for a shard's values. */
export const PullCodec = t.type({ model: t.string });
export type Pull = t.TypeOf<typeof PullCodec>;

/**
 * A shard's answer to a push or a pull: where its schedule stands, and its values when asked for:
 * as float32 `values`, or as the `change` since the values it last sent the push's thread,
 * compressed as `encoding` says, to be added to them. An answer to a push that asked for compressed
 * answers carries a `tag` naming the values the thread holds once it has taken the answer in.
 */
export const ShardValuesCodec = t.intersection([
  t.type({ framesSeen: NonNegativeInt, updates: NonNegativeInt, learningRate: Finite }),
  t.partial({ values: Bin, change: Bin, encoding: EncodingCodec, tag: NonNegativeInt }),
]);
export type ShardValues = t.TypeOf<typeof ShardValuesCodec>;

/** A message's MessagePack bytes. */
export function encodeMessage<A>(codec: t.Encoder<A, unknown>, message: A): Uint8Array {
  return plainMsgpack.pack(codec.encode(message));
}

/**
 * A message from the network decoded by `codec`, or what is wrong with it:
 * not MessagePack, truncated, or fields missing or of the wrong type.
 */
export function decodeMessage<A>(codec: t.Decoder<unknown, A>, bytes: Uint8Array): E.Either<string, A> {
  return pipe(
    unpackWhole(bytes),
    E.chain((value) => pipe(codec.decode(value), E.mapLeft(describeErrors))),
  );
}

/** Float32 values as the bytes a message carries (a view on little-endian hosts). */
export const valuesToBytes = (values: Float32Array): Uint8Array => littleEndianBytes(values);

/**
 * A message's float32 bytes read into `target` (a shard's or a worker's own
 * buffer, so nothing is allocated per message), or why they don't fit.
 */
export function bytesIntoValues(bytes: Uint8Array, target: Float32Array): E.Either<string, Float32Array> {
  if (bytes.length !== 4 * target.length) return E.left(`holds ${bytes.length / 4} values, expected ${target.length}`);
  return E.right(readLittleEndian(bytes, 0, target));
}
