import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { CorpusRecognitionEvent } from '../../../src/streams/recognition/recognize-corpus.js';
import { splitTranscripts, wordErrors } from '../../../src/streams/recognition/word-errors.js';
import { toneWordCorpus } from '../../support/word-corpus.js';
import { corpusEntries } from '../../../src/streams/corpora/corpus.js';

describe('wordErrors', () => {
  it('scores each utterance against its reference and keeps running totals, passing skipped ones through', async () => {
    const references = new Map([
      ['u1', ['one', 'two']],
      ['u2', ['three']],
      ['u3', ['one']],
    ]);
    const events: CorpusRecognitionEvent[] = [
      { type: 'recognized', id: 'u1', words: ['one', 'two'], frames: 10, final: true },
      { type: 'skipped', id: 'u2', reason: 'bad audio' },
      { type: 'recognized', id: 'u3', words: ['two', 'one'], frames: 5, final: false },
    ];
    const scored = await lastValueFrom(from(events).pipe(wordErrors(references), toArray()));
    expect(scored.map((e) => e.type)).toEqual(['scored', 'skipped', 'scored']);
    expect(scored[1]).toMatchObject({ id: 'u2', reason: 'bad audio', frames: 10 });
    expect(scored[2]).toMatchObject({ reference: ['one'], words: ['two', 'one'], final: false, frames: 15 });
    expect(scored[2].totals).toEqual({ words: 3, correct: 3, substitutions: 0, deletions: 0, insertions: 1, sentences: 2, sentenceErrors: 1 });
  });
});

describe('splitTranscripts', () => {
  it("reads a split's transcripts in corpus order, the first N only with a limit", async () => {
    const dir = toneWordCorpus({ utterances: 12 });
    const dev: [string, readonly string[]][] = [];
    for await (const { utterance } of corpusEntries(dir)) if (utterance.split === 'dev') dev.push([utterance.id, utterance.words]);
    expect([...(await splitTranscripts(dir, 'dev')).entries()]).toEqual(dev);
    expect([...(await splitTranscripts(dir, 'dev', 1)).entries()]).toEqual(dev.slice(0, 1));
  });
});
