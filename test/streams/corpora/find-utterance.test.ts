import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { decodeManifestLine } from '../../../src/model/corpus/manifest.js';
import { findUtterance } from '../../../src/streams/corpora/find-utterance.js';
import { toneCorpus } from '../../support/corpus.js';

let corpus: string;
beforeAll(() => {
  corpus = toneCorpus({ utterances: 6, splits: ['train', 'dev', 'test'] });
});
afterAll(() => rmSync(corpus, { recursive: true, force: true }));

describe('findUtterance', () => {
  it('finds an utterance of any split, with its features and alignment', async () => {
    const lines = readFileSync(join(corpus, 'manifest.jsonl'), 'utf8').trim().split('\n');
    const entry = decodeManifestLine(lines[5]);
    if (entry._tag === 'Left') throw new Error(entry.left);
    expect(entry.right.split).toBe('test');
    const utterance = await findUtterance(corpus, 'utt005', { normalisation: 'utterance', bins: 40 });
    expect(utterance.id).toBe('utt005');
    expect(utterance.frames).toBe(entry.right.frames);
    expect(utterance.dim).toBe(40);
    expect(utterance.features).toHaveLength(40 * entry.right.frames);
    expect(utterance.targets).toHaveLength(entry.right.frames);
  });

  it('names the corpus when the id is not there', async () => {
    await expect(findUtterance(corpus, 'nope', { normalisation: 'none', bins: 40 })).rejects.toThrow(new InputError(`${corpus}: no utterance "nope" in manifest.jsonl`));
  });
});
