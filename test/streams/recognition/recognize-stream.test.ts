import * as E from 'fp-ts/lib/Either.js';
import { join } from 'node:path';
import { from, lastValueFrom, map, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import type { AudioBlock } from '../../../src/streams/io/audio-blocks.js';
import { decodeWav } from '../../../src/ops/codecs/wav.js';
import { corpusEntries } from '../../../src/streams/corpora/corpus.js';
import { readBytes } from '../../../src/streams/io/files.js';
import { liveRecognition } from '../../../src/streams/recognition/live-recognition.js';
import { recognizeStream } from '../../../src/streams/recognition/recognize-stream.js';
import { DEFAULT_RECOGNIZER_OPTIONS, recognizerOf, type Recognizer } from '../../../src/streams/recognition/recognizer.js';
import { errorLike, runMarbles } from '../../../src/testing/marbles.js';
import { toneWordCheckpoint, toneWordCorpus } from '../../support/word-corpus.js';

let recognizer: Recognizer;
let samples: Float32Array;
beforeAll(async () => {
  const dir = toneWordCorpus({ utterances: 10, seed: 4 });
  const made = recognizerOf(await toneWordCheckpoint(dir), DEFAULT_RECOGNIZER_OPTIONS);
  if (E.isLeft(made)) throw new Error(made.left);
  recognizer = made.right;
  for await (const { utterance } of corpusEntries(dir)) {
    const audio = decodeWav(readBytes(join(dir, utterance.wav)));
    if (E.isLeft(audio)) throw new Error(audio.left);
    samples = audio.right.samples;
    break;
  }
});

const blocks = (size: number, rate = 16000) => Array.from({ length: Math.ceil(samples.length / size) }, (_, i) => ({ sampleRate: rate, samples: samples.subarray(i * size, (i + 1) * size) }));
const clock = () => 0;

describe('recognizeStream', () => {
  it("says what a live recognition of the same blocks says, the last final at the source's end", async () => {
    const live = liveRecognition(recognizer, { sampleRate: 16000, now: clock });
    const expected = [...blocks(1000).flatMap((b) => live.accept(b.samples)), ...live.end()];
    const got = await lastValueFrom(from(blocks(1000)).pipe(recognizeStream(recognizer, { now: clock }), toArray()));
    expect(got).toEqual(expected);
    expect(got.at(-1)?.type).toBe('final');
  });

  it('recognises afresh on every subscription', async () => {
    const stage = from(blocks(4000)).pipe(recognizeStream(recognizer, { now: clock }), toArray());
    expect(await lastValueFrom(stage)).toEqual(await lastValueFrom(stage));
  });

  it('ends with an InputError when the rate changes or a sample is not a number, and passes errors through', () => {
    const [a] = blocks(800);
    const b = { sampleRate: 8000, samples: a.samples };
    const nan = { sampleRate: 16000, samples: Float32Array.of(0, NaN) };
    runMarbles(({ cold, expectObservable }) => {
      const types = map((h: { type: string }) => h.type);
      expectObservable(cold('a-b-a|', { a, b }).pipe(recognizeStream(recognizer), types)).toBe('--#', undefined, errorLike(InputError, 'the audio changed sample rate from 16000 to 8000 Hz mid-stream'));
      expectObservable(cold('a-n|', { a, n: nan }).pipe(recognizeStream(recognizer), types)).toBe('--#', undefined, errorLike(InputError, 'audio sample 801 is NaN, not a finite number'));
      expectObservable(cold('a-#', { a }).pipe(recognizeStream(recognizer), types)).toBe('--#');
      expectObservable(cold<AudioBlock>('|').pipe(recognizeStream(recognizer), types)).toBe('|');
    });
  });
});
