import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describeErrors, parseJson } from '../codec.js';

const Count = t.number;
const Fraction = t.number;
/** null where no frame was counted */
const PerFrame = t.union([t.number, t.null]);

/** A periodic report during training: the recent training frames, the rate and throughput. */
export const ProgressLineCodec = t.type({
  type: t.literal('progress'),
  framesSeen: Count,
  seconds: t.number,
  epoch: Count,
  learningRate: t.number,
  framesPerSecond: t.number,
  trainLoss: PerFrame,
  trainFrameAccuracy: Fraction,
});

/** An evaluation on dev (each also saves a checkpoint), with the training frames since the last one. */
export const EvaluationLineCodec = t.type({
  type: t.literal('evaluation'),
  framesSeen: Count,
  seconds: t.number,
  epoch: Count,
  learningRate: t.number,
  trainLoss: PerFrame,
  trainFrameAccuracy: Fraction,
  devLoss: PerFrame,
  devFrameAccuracy: Fraction,
  devFrames: Count,
});

/** An utterance training left out. */
export const SkippedLineCodec = t.type({ type: t.literal('skipped'), id: t.string, reason: t.string });

export type ProgressLine = t.TypeOf<typeof ProgressLineCodec>;
export type EvaluationLine = t.TypeOf<typeof EvaluationLineCodec>;
export type SkippedLine = t.TypeOf<typeof SkippedLineCodec>;

/** One line of a run's metrics.jsonl, as `lstmp train` appends them. */
export type MetricsLine = ProgressLine | EvaluationLine | SkippedLine;

const codecs = { progress: ProgressLineCodec, evaluation: EvaluationLineCodec, skipped: SkippedLineCodec } as const;

/**
 * Decodes one metrics.jsonl line, or says what is wrong with it. A line of a
 * type this version does not know (a newer lstmp's) decodes to null, so old
 * readers skip it; extra fields are kept.
 *
 * @example decodeMetricsLine('{"type":"skipped","id":"u1","reason":"no such file"}')
 */
export function decodeMetricsLine(line: string): E.Either<string, MetricsLine | null> {
  const parsed = parseJson(line);
  if (E.isLeft(parsed)) return parsed;
  const json = parsed.right;
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return E.left('not a JSON object');
  const type = (json as { type?: unknown }).type;
  if (typeof type !== 'string') return E.left('no "type"');
  if (!(type in codecs)) return E.right(null);
  const decoded = codecs[type as keyof typeof codecs].decode(json);
  return E.isLeft(decoded) ? E.left(describeErrors(decoded.left)) : E.right(decoded.right);
}
