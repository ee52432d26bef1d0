import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type * as t from 'io-ts';
import { describeErrors } from './errors.js';

/** Parses JSON text, or says it is not JSON. */
export function parseJson(text: string): E.Either<string, unknown> {
  return E.tryCatch(
    () => JSON.parse(text) as unknown,
    () => 'not JSON',
  );
}

/**
 * JSON text decoded by `codec`, or what is wrong in words: `not JSON`, or the
 * codec's errors naming each bad field.
 *
 * @example decodeJson(UtteranceCodec, line)
 */
export function decodeJson<A>(codec: t.Decoder<unknown, A>, text: string): E.Either<string, A> {
  return pipe(
    parseJson(text),
    E.chain((json) => pipe(codec.decode(json), E.mapLeft(describeErrors))),
  );
}
