import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { priorsOf } from '../../../src/model/decoding/decoding-model.js';
import { corpusEntries } from '../../../src/streams/corpora/corpus.js';
import { corpusDecodingModel } from '../../../src/streams/recognition/corpus-decoding-model.js';
import { TONE_INVENTORY, TONE_LEXICON, toneWordCorpus } from '../../support/word-corpus.js';

describe('corpusDecodingModel', () => {
  it("estimates from the training split only: its frames, its transcripts, the corpus's lexicon", async () => {
    const dir = toneWordCorpus({ utterances: 10 });
    const model = await corpusDecodingModel(dir);
    let trainFrames = 0;
    for await (const { utterance, alignment } of corpusEntries(dir)) if (utterance.split === 'train') trainFrames += alignment.length;
    expect(model.stateCounts.reduce((a, b) => a + b, 0)).toBe(trainFrames);
    expect(model.stateCounts).toHaveLength(TONE_INVENTORY.names.length);
    expect(model.lexicon).toEqual(TONE_LEXICON);
    expect(model.bigram.words).toEqual(['one', 'three', 'two']);
    expect(model.silenceFactor).toBe(2.7);
    expect(priorsOf(model).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('fails naming the file or utterance at fault', async () => {
    const dir = toneWordCorpus({ utterances: 5 });
    writeFileSync(join(dir, 'lexicon.txt'), 'one a b\ntwo c\n');
    await expect(corpusDecodingModel(dir)).rejects.toThrow(new InputError(`${dir}: utterance tw0000: the word "three" is not in the lexicon`));
    writeFileSync(join(dir, 'states.txt'), 'tone0\ntone1\ntone2\n');
    await expect(corpusDecodingModel(dir)).rejects.toThrow(/states\.txt \(decoding needs "phone_k" states\): line 1: /);
  });

  it('refuses a corpus without training utterances', async () => {
    const dir = toneWordCorpus({ utterances: 5 });
    writeFileSync(join(dir, 'manifest.jsonl'), '');
    writeFileSync(join(dir, 'alignments.txt'), '');
    await expect(corpusDecodingModel(dir)).rejects.toThrow(/no training utterances/);
  });
});
