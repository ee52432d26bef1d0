import * as t from 'io-ts';
import { NonNegativeInt } from '../codec.js';

/**
 * The event lines `lstmp worker --jsonl` prints, one JSON object per line:
 * what `lstmp cluster` (or any log collector) reads to follow its workers.
 */
export const WorkerProgressLineCodec = t.type({
  type: t.literal('progress'),
  /** frames the whole cluster has trained on, as the shards count them */
  framesSeen: NonNegativeInt,
  /** this worker's frames, loss and correct frames since its last line */
  frames: NonNegativeInt,
  loss: t.number,
  correct: NonNegativeInt,
  updates: NonNegativeInt,
  epoch: NonNegativeInt,
  learningRate: t.number,
  framesPerSecond: t.number,
});

export const WorkerSkippedLineCodec = t.type({ type: t.literal('skipped'), id: t.string, reason: t.string });

export const WorkerDoneLineCodec = t.intersection([
  t.type({ type: t.literal('done'), framesSeen: NonNegativeInt, seconds: t.number, skipped: NonNegativeInt }),
  /** the gradient bytes this worker pushed, in how many pushes, over how many frames of its own */
  t.partial({ pushedBytes: NonNegativeInt, pushes: NonNegativeInt, trained: NonNegativeInt }),
]);

export const WorkerLineCodec = t.union([WorkerProgressLineCodec, WorkerSkippedLineCodec, WorkerDoneLineCodec]);
export type WorkerLine = t.TypeOf<typeof WorkerLineCodec>;
