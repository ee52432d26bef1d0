import * as E from 'fp-ts/lib/Either.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../../src/model/formats/checkpoint.js';
import { alignCorpus, recognizeCorpus } from '../../../src/streams/recognition/recognize-corpus.js';
import { DEFAULT_ALIGNER_OPTIONS } from '../../../src/streams/recognition/aligner.js';
import { STATES_PER_PHONE } from '../../../src/model/corpus/states.js';
import { readBytes } from '../../../src/streams/io/files.js';
import { corpusEntries } from '../../../src/streams/corpora/corpus.js';
import { DEFAULT_RECOGNIZER_OPTIONS, recognizerOf } from '../../../src/streams/recognition/recognizer.js';
import { buildCli } from '../../support/cli.js';
import { toneWordCheckpoint, toneWordCorpus } from '../../support/word-corpus.js';

let dir: string;
let checkpoint: Checkpoint;
beforeAll(async () => {
  buildCli(); // the worker threads run the built dist/
  dir = toneWordCorpus({ utterances: 20, seed: 7 });
  checkpoint = await toneWordCheckpoint(dir);
});

describe('recognizeCorpus', () => {
  it('gives one event per utterance in corpus order, whatever the threads, skipping unreadable audio', async () => {
    writeFileSync(join(dir, 'wav', 'tw0005.wav'), 'broken');
    const options = { ...DEFAULT_RECOGNIZER_OPTIONS, split: 'train' as const };
    const [one, three] = await Promise.all(
      [1, 3].map((threads) => lastValueFrom(recognizeCorpus(dir, checkpoint, { ...options, threads }).pipe(toArray()))),
    );
    expect(three).toEqual(one);
    const train: string[] = [];
    for await (const { utterance } of corpusEntries(dir)) if (utterance.split === 'train') train.push(utterance.id);
    expect(one.map((e) => e.id)).toEqual(train);
    const made = recognizerOf(checkpoint, DEFAULT_RECOGNIZER_OPTIONS);
    if (E.isLeft(made)) throw new Error(made.left);
    for (const event of one) {
      if (event.id === 'tw0005') {
        expect(event).toMatchObject({ type: 'skipped' });
        continue;
      }
      const alone = made.right.recognizeWav(readBytes(join(dir, 'wav', `${event.id}.wav`)));
      expect(event).toMatchObject({ type: 'recognized', words: E.isRight(alone) ? alone.right.words : null });
    }
  });

  it('stops after the first N utterances of the split', async () => {
    const events = await lastValueFrom(recognizeCorpus(dir, checkpoint, { ...DEFAULT_RECOGNIZER_OPTIONS, split: 'dev', limit: 3, threads: 2 }).pipe(toArray()));
    expect(events.map((e) => e.id)).toEqual(['tw0003', 'tw0008', 'tw0013']);
  });
});

describe('alignCorpus', () => {
  it('keeps each utterance\'s words within the frames given for it, and names the span where they cannot fit', async () => {
    const options = { ...DEFAULT_ALIGNER_OPTIONS, split: 'test' as const, threads: 2 };
    const free = await lastValueFrom(alignCorpus(dir, checkpoint, options).pipe(toArray()));
    const aligned = free.filter((e) => e.type === 'aligned');
    expect(aligned.length).toBeGreaterThanOrEqual(2);
    const [first, second] = aligned;
    // The first utterance's words held 3 frames inside where they were; the second's given 2 frames.
    const words = { start: first.words[0].start + 3, end: first.words.at(-1)!.end - 3 };
    const speech = new Map([
      [first.id, words],
      [second.id, { start: 10, end: 12 }],
    ]);
    const bound = await lastValueFrom(alignCorpus(dir, checkpoint, { ...options, speech }).pipe(toArray()));
    const one = bound.find((e) => e.id === first.id)!;
    if (one.type !== 'aligned') throw new Error(`${first.id} was not aligned: ${one.reason}`);
    expect(one.words[0].start).toBeGreaterThanOrEqual(words.start);
    expect(one.words.at(-1)!.end).toBeLessThanOrEqual(words.end);
    one.states.forEach((state, t) => {
      if (t < words.start || t >= words.end) expect(state, `frame ${t}`).toBeLessThan(STATES_PER_PHONE);
    });
    expect(bound.find((e) => e.id === second.id)).toMatchObject({ type: 'skipped', reason: expect.stringMatching(/^the 2 frames \[10, 12\) it may speak in are too few/) });
    // The others are aligned as without spans.
    expect(bound.filter((e) => e.id !== first.id && e.id !== second.id)).toEqual(free.filter((e) => e.id !== first.id && e.id !== second.id));
  });
});
