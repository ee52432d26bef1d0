import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';

/**
 * How lstmp decodes what comes from outside: io-ts codecs whose names say in
 * words what they accept, their errors as one line, and JSON text through a
 * codec. Every file format and message in model/ is built from these.
 *
 * @module
 */

/** A number codec whose name says in words what it accepts. */
export function numberWhere(description: string, accepts: (n: number) => boolean): t.Type<number, number, unknown> {
  const is = (u: unknown): u is number => typeof u === 'number' && accepts(u);
  return new t.Type(description, is, (u, c) => (is(u) ? t.success(u) : t.failure(u, c)), t.identity);
}

export const PositiveInt = numberWhere('a whole number ≥ 1', (n) => Number.isInteger(n) && n >= 1);
export const NonNegativeInt = numberWhere('a whole number ≥ 0', (n) => Number.isInteger(n) && n >= 0);
export const PositiveFinite = numberWhere('a finite number > 0', (n) => Number.isFinite(n) && n > 0);

/** A codec that fills in `fallback` where the field is absent. */
export function withDefault<C extends t.Mixed>(codec: C, fallback: t.TypeOf<C>): t.Type<t.TypeOf<C>, t.OutputOf<C>, unknown> {
  return new t.Type(
    codec.name,
    codec.is,
    (u, c) => (u === undefined ? t.success(fallback) : codec.validate(u, c)),
    codec.encode,
  );
}

/**
 * io-ts errors in words: `cells must be a PositiveInt (got -3)`, one clause
 * per failing field, naming the path from the root.
 */
export function describeErrors(errors: t.Errors): string {
  const clauses = errors.map((error) => {
    const path = error.context
      .map((entry) => entry.key)
      .filter((key) => key !== '')
      .join('.');
    const expected = error.context[error.context.length - 1]?.type.name ?? 'something else';
    const field = path === '' ? 'the input' : path;
    const got = error.value === undefined ? 'nothing' : abbreviate(error.value);
    return error.message ?? `${field} must be ${expected === 'boolean' ? 'true or false' : expected} (got ${got})`;
  });
  return [...new Set(clauses)].join('; ');
}

/** A value as JSON, cut short: an error message stays one short line whatever the input holds. */
function abbreviate(value: unknown): string {
  const text = String(JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v)) ?? value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

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
