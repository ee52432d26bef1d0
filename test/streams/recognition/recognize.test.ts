import * as E from 'fp-ts/lib/Either.js';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../../src/model/formats/checkpoint.js';
import { corpusEntries, utterances } from '../../../src/streams/corpora/corpus.js';
import { recognize } from '../../../src/streams/recognition/recognize.js';
import { features } from '../../../src/streams/pipeline/features.js';
import { readBytes } from '../../../src/streams/io/files.js';
import { DEFAULT_RECOGNIZER_OPTIONS, recognizerOf, type Recognizer } from '../../../src/streams/recognition/recognizer.js';
import { toneWordCheckpoint, toneWordCorpus } from '../../support/word-corpus.js';

let dir: string;
let checkpoint: Checkpoint;
beforeAll(async () => {
  dir = toneWordCorpus({ utterances: 15, seed: 5 });
  checkpoint = await toneWordCheckpoint(dir);
});

function recognizer(): Recognizer {
  const made = recognizerOf(checkpoint, DEFAULT_RECOGNIZER_OPTIONS);
  if (E.isLeft(made)) throw new Error(made.left);
  return made.right;
}

describe('recognize', () => {
  it('transcribes a stream of utterances in order, as the recognizer does one by one', async () => {
    const r = recognizer();
    const decoded = await lastValueFrom(utterances(dir, { split: 'train' }).pipe(features({ normalisation: r.normalisation }), recognize(r), toArray()));
    const train: { id: string; words: readonly string[] }[] = [];
    for await (const { utterance } of corpusEntries(dir)) if (utterance.split === 'train') train.push(utterance);
    expect(decoded.map((d) => d.id)).toEqual(train.map((u) => u.id));
    decoded.forEach((d, k) => {
      const again = r.recognizeWav(readBytes(join(dir, 'wav', `${d.id}.wav`)));
      expect(E.isRight(again) && again.right.words).toEqual(d.words);
      expect(d.words).toEqual(train[k].words);
      expect(d.final).toBe(true);
    });
  });
});
