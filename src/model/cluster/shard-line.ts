import * as t from 'io-ts';
import { NonNegativeInt } from '../codec.js';

/**
 * The event lines `lstmp ps --jsonl` prints, one JSON object per line: what
 * `lstmp cluster` (or any log collector) reads to follow a shard.
 */
export const ShardListeningLineCodec = t.type({ type: t.literal('listening'), address: t.string, model: t.string, framesSeen: NonNegativeInt });
export const ShardStatusLineCodec = t.type({
  type: t.union([t.literal('status'), t.literal('saved'), t.literal('stopped')]),
  framesSeen: NonNegativeInt,
  updates: NonNegativeInt,
  learningRate: t.number,
  refused: t.record(t.string, NonNegativeInt),
});
export const ShardRefusedLineCodec = t.type({ type: t.literal('refused'), reason: t.string, message: t.string });
/** A save of the shard's state failed; the shard goes on serving and tries again. `unsaved`: updates applied since its last save. */
export const ShardSaveFailedLineCodec = t.type({ type: t.literal('save-failed'), message: t.string, unsaved: NonNegativeInt });

export const ShardLineCodec = t.union([ShardListeningLineCodec, ShardStatusLineCodec, ShardRefusedLineCodec, ShardSaveFailedLineCodec]);
export type ShardLine = t.TypeOf<typeof ShardLineCodec>;
