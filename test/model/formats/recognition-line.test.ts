import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { decodeRecognitionLine, errorCountsOf, type WordEdit } from '../../../src/model/formats/recognition-line.js';
import { editAlignment } from '../../../src/ops/search/edit-distance.js';

/** The decode.jsonl line of an utterance, its edits from the reference alignment. */
function lineOf(reference: string[], hypothesis: string[]): string {
  const op = { correct: 'ok', substitution: 'sub', deletion: 'del', insertion: 'ins' } as const;
  const edits: WordEdit[] = editAlignment(reference, hypothesis).pairs.map((pair) => ({
    op: op[pair.operation],
    ...(pair.reference >= 0 ? { ref: reference[pair.reference] } : {}),
    ...(pair.hypothesis >= 0 ? { hyp: hypothesis[pair.hypothesis] } : {}),
  }));
  return JSON.stringify({ id: 'u1', reference, hypothesis, edits });
}

const words = fc.array(fc.constantFrom('one', 'two', 'three', 'oh'), { maxLength: 8 });

describe('decode.jsonl lines', () => {
  it('count the same errors as the edit-distance alignment they were made from', () => {
    fc.assert(
      fc.property(words, words, (reference, hypothesis) => {
        const decoded = decodeRecognitionLine(lineOf(reference, hypothesis));
        expect(E.isRight(decoded)).toBe(true);
        if (E.isRight(decoded)) expect(errorCountsOf(decoded.right)).toEqual(editAlignment(reference, hypothesis).counts);
      }),
    );
  });

  it('say what is wrong with a bad line', () => {
    expect(decodeRecognitionLine('{')).toEqual(E.left('not JSON'));
    const noEdits = decodeRecognitionLine('{"id":"u","reference":[],"hypothesis":[]}');
    expect(E.isLeft(noEdits) && noEdits.left).toMatch(/^edits must be/);
    const badOp = decodeRecognitionLine('{"id":"u","reference":["a"],"hypothesis":[],"edits":[{"op":"drop","ref":"a"}]}');
    expect(E.isLeft(badOp) && badOp.left).toMatch(/"ok", "sub", "del" or "ins"/);
    expect(decodeRecognitionLine('{"id":"u","reference":["a"],"hypothesis":["b"],"edits":[{"op":"sub","ref":"a"}]}')).toEqual(E.left('edits.0: op "sub" needs ref and hyp'));
  });
});
