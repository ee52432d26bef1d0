import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { decodeManifest, decodeManifestLine, encodeManifest, encodeManifestLine, type Utterance } from '../../../src/model/corpus/manifest.js';

const token = fc.stringMatching(/^[\w.+-]{1,12}$/);
const utterance: fc.Arbitrary<Utterance> = fc.record({
  id: token,
  wav: fc.string({ minLength: 1, maxLength: 20 }),
  words: fc.array(token, { maxLength: 7 }),
  speaker: fc.string({ minLength: 1, maxLength: 12 }),
  split: fc.constantFrom('train' as const, 'dev' as const, 'test' as const),
  frames: fc.nat(),
});

const good: Utterance = { id: 'sd000001', wav: 'wav/sd000001.wav', words: ['one', 'oh'], speaker: 'en-us+m3', split: 'train', frames: 120 };
const line = (fields: Record<string, unknown>) => JSON.stringify({ ...good, ...fields });

describe('manifest', () => {
  it('writes one JSON line per utterance with its fields in order', () => {
    expect(encodeManifestLine(good)).toBe('{"id":"sd000001","wav":"wav/sd000001.wav","words":["one","oh"],"speaker":"en-us+m3","split":"train","frames":120}');
  });

  it('round-trips any manifest through its codec', () => {
    fc.assert(
      fc.property(fc.uniqueArray(utterance, { selector: (u) => u.id, maxLength: 10 }), (utterances) => {
        expect(decodeManifest(encodeManifest(utterances))).toEqual(E.right(utterances));
      }),
    );
  });

  it('skips blank lines and ignores unknown fields', () => {
    expect(decodeManifest(`\n${line({ extra: 1 })}\n\n`)).toEqual(E.right([good]));
  });

  it('refuses a malformed line, naming its line number and field', () => {
    const text = (bad: string) => `${encodeManifestLine(good)}\n\n${bad}\n`;
    expect(decodeManifest(text(line({ frames: -1 })))).toEqual(E.left('line 3: frames must be a whole number ≥ 0 (got -1)'));
    expect(decodeManifest(text(line({ frames: 1.5 })))).toEqual(E.left('line 3: frames must be a whole number ≥ 0 (got 1.5)'));
    expect(decodeManifest(text(line({ split: 'eval' })))).toEqual(E.left('line 3: split must be "train", "dev" or "test" (got "eval")'));
    expect(decodeManifest(text(line({ words: ['one', 'two three'] })))).toEqual(E.left('line 3: words.1 must be a non-empty string without spaces (got "two three")'));
    expect(decodeManifest(text(line({ wav: '' })))).toEqual(E.left('line 3: wav must be a non-empty string (got "")'));
    expect(decodeManifest(text(JSON.stringify({ id: 'a', wav: 'a.wav', words: [], split: 'dev', frames: 0 })))).toEqual(
      E.left('line 3: speaker must be a non-empty string (got nothing)'),
    );
    expect(decodeManifest(text('{"id": '))).toEqual(E.left('line 3: not JSON'));
    expect(decodeManifest(text(line({ id: 'sd000001' })))).toEqual(E.left('line 3: the id "sd000001" appears twice'));
    expect(decodeManifestLine('[]')).toEqual(E.left('the input must be an object (got [])'));
  });
});
