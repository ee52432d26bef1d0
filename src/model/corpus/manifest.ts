import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { decodeJson, NonNegativeInt } from '../codec.js';

const NonEmptyString = new t.Type<string, string, unknown>(
  'a non-empty string',
  (u): u is string => typeof u === 'string' && u.length > 0,
  (u, c) => (typeof u === 'string' && u.length > 0 ? t.success(u) : t.failure(u, c)),
  t.identity,
);

/** An utterance id or word: non-empty, without whitespace (they end up in space-separated files). */
const Token = new t.Type<string, string, unknown>(
  'a non-empty string without spaces',
  (u): u is string => typeof u === 'string' && /^\S+$/.test(u),
  (u, c) => (typeof u === 'string' && /^\S+$/.test(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
);

/** Which part of a corpus an utterance belongs to; test speakers never appear in train or dev. */
export const SplitCodec = t.keyof({ train: null, dev: null, test: null }, '"train", "dev" or "test"');
export type Split = t.TypeOf<typeof SplitCodec>;

/**
 * One line of manifest.jsonl: an utterance, its audio (a path relative to the
 * corpus directory), its words, who said it, its split and its frame count
 * (the length of its alignment).
 */
export const UtteranceCodec = t.exact(
  t.type({
    id: Token,
    wav: NonEmptyString,
    words: t.array(Token, 'an array of words'),
    speaker: NonEmptyString,
    split: SplitCodec,
    frames: NonNegativeInt,
  }),
  'an object',
);
export type Utterance = t.TypeOf<typeof UtteranceCodec>;

/** One manifest line (no newline), its fields always in the same order. */
export function encodeManifestLine(utterance: Utterance): string {
  const { id, wav, words, speaker, split, frames } = utterance;
  return JSON.stringify({ id, wav, words, speaker, split, frames });
}

/** A whole manifest: one line per utterance, each ending in a newline. */
export function encodeManifest(utterances: readonly Utterance[]): string {
  return utterances.map((u) => `${encodeManifestLine(u)}\n`).join('');
}

/** Decodes one manifest line, or says what is wrong with it (without the line number). */
export function decodeManifestLine(line: string): E.Either<string, Utterance> {
  return decodeJson(UtteranceCodec, line);
}

/**
 * Decodes manifest.jsonl (blank lines skipped). The first bad line is refused
 * with its line number and what is wrong, e.g.
 * `line 3: frames must be a whole number ≥ 0 (got -1)`; so is a repeated id.
 */
export function decodeManifest(text: string): E.Either<string, Utterance[]> {
  const utterances: Utterance[] = [];
  const ids = new Set<string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const decoded = decodeManifestLine(lines[i]);
    if (E.isLeft(decoded)) return E.left(`line ${i + 1}: ${decoded.left}`);
    if (ids.has(decoded.right.id)) return E.left(`line ${i + 1}: the id "${decoded.right.id}" appears twice`);
    ids.add(decoded.right.id);
    utterances.push(decoded.right);
  }
  return E.right(utterances);
}
