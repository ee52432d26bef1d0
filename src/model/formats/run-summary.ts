import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describeErrors, parseJson } from '../codec.js';

/**
 * A run's summary.json, as the main job (`lstmp demo`) writes it: the dev frame
 * accuracy, the test word error rate (null until decoded), the frames trained
 * on, the training time and threads, and the network's config. Every field is
 * optional and unknown fields are allowed, so summaries of older and newer
 * runs still read.
 */
export const RunSummaryCodec = t.partial({
  devFrameAccuracy: t.number,
  testWer: t.union([t.number, t.null]),
  frames: t.number,
  trainSeconds: t.number,
  threads: t.number,
  config: t.unknown,
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
