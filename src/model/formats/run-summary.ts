import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describeErrors, parseJson } from '../codec.js';

/**
 * A run's summary.json, as the main job (`lstmp demo`) and `lstmp cluster`
 * write it: the dev frame accuracy, the test word error rate (null until
 * decoded), the frames trained on, the training time and threads, the
 * network's config, and a cluster's shape. Every field is optional and
 * unknown fields are allowed, so summaries of older and newer runs still read.
 */
export const RunSummaryCodec = t.partial({
  devFrameAccuracy: t.number,
  testWer: t.union([t.number, t.null]),
  frames: t.number,
  trainSeconds: t.number,
  threads: t.number,
  config: t.unknown,
  cluster: t.type({ shards: t.number, workers: t.number, restarts: t.number }),
  /** word error rates of the test split heard in conditions training did not choose (`telephone`, `noisy10dB`, …) */
  robustness: t.record(t.string, t.number),
});
export type RunSummary = t.TypeOf<typeof RunSummaryCodec>;

/** Decodes summary.json's text, or says what is wrong with it. */
export function decodeRunSummary(text: string): E.Either<string, RunSummary> {
  const parsed = parseJson(text);
  if (E.isLeft(parsed)) return parsed;
  const json = parsed.right;
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return E.left('not a JSON object');
  const decoded = RunSummaryCodec.decode(json);
  return E.isLeft(decoded) ? E.left(describeErrors(decoded.left)) : E.right(decoded.right);
}

/** summary.json's text for a summary (what {@link decodeRunSummary} reads back). */
export function encodeRunSummary(summary: RunSummary): string {
  return `${JSON.stringify(summary, null, 2)}\n`;
}
