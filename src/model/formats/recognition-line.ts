import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { NO_ERRORS, type EditAlignment, type EditOperation, type ErrorCounts } from '../../ops/search/edit-distance.js';
import { decodeJson } from '../codec.js';

/** One step of the alignment of a hypothesis against its reference. */
export const WordEditCodec = t.intersection([
  t.type({ op: t.keyof({ ok: null, sub: null, del: null, ins: null }, '"ok", "sub", "del" or "ins"') }),
  t.partial({ ref: t.string, hyp: t.string }),
]);
export type WordEdit = t.TypeOf<typeof WordEditCodec>;

/** One test utterance as decoded: a line of a run's decode.jsonl. */
export const RecognitionLineCodec = t.type({
  id: t.string,
  reference: t.array(t.string),
  hypothesis: t.array(t.string),
  edits: t.array(WordEditCodec),
});
export type RecognitionLine = t.TypeOf<typeof RecognitionLineCodec>;

/** Which words each kind of edit carries. */
const needs: Record<WordEdit['op'], readonly ('ref' | 'hyp')[]> = { ok: ['ref', 'hyp'], sub: ['ref', 'hyp'], del: ['ref'], ins: ['hyp'] };

/**
 * Decodes one decode.jsonl line, or says what is wrong with it: not JSON,
 * a missing field, or an edit without the words its kind needs
 * (`ok` and `sub` a ref and a hyp, `del` a ref, `ins` a hyp).
 *
 * @example decodeRecognitionLine('{"id":"u1","reference":["one"],"hypothesis":[],"edits":[{"op":"del","ref":"one"}]}')
 */
export function decodeRecognitionLine(line: string): E.Either<string, RecognitionLine> {
  const decoded = decodeJson(RecognitionLineCodec, line);
  if (E.isLeft(decoded)) return decoded;
  const bad = decoded.right.edits.findIndex((edit) => needs[edit.op].some((word) => edit[word] === undefined));
  if (bad >= 0) return E.left(`edits.${bad}: op "${decoded.right.edits[bad].op}" needs ${needs[decoded.right.edits[bad].op].join(' and ')}`);
  return E.right(decoded.right);
}

/** Word error counts of one decoded utterance, from its edits. */
export function errorCountsOf(utterance: RecognitionLine): ErrorCounts {
  const count = (op: WordEdit['op']) => utterance.edits.filter((edit) => edit.op === op).length;
  const [correct, substitutions, deletions, insertions] = [count('ok'), count('sub'), count('del'), count('ins')];
  const errors = substitutions + deletions + insertions;
  return { ...NO_ERRORS, words: correct + substitutions + deletions, correct, substitutions, deletions, insertions, sentences: 1, sentenceErrors: errors > 0 ? 1 : 0 };
}

const OPS: Record<EditOperation, WordEdit['op']> = { correct: 'ok', substitution: 'sub', deletion: 'del', insertion: 'ins' };

/** A decoded utterance with its alignment against the reference, as a decode.jsonl record. */
export function recognitionLine(id: string, reference: readonly string[], hypothesis: readonly string[], alignment: EditAlignment): RecognitionLine {
  const edits = alignment.pairs.map(({ operation, reference: r, hypothesis: h }): WordEdit => ({
    op: OPS[operation],
    ...(r >= 0 && { ref: reference[r] }),
    ...(h >= 0 && { hyp: hypothesis[h] }),
  }));
  return { id, reference: [...reference], hypothesis: [...hypothesis], edits };
}
