import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import type { Checkpoint } from '../../../src/model/formats/checkpoint.js';
import { decodeWav, encodeWav } from '../../../src/ops/codecs/wav.js';
import { resample } from '../../../src/ops/dsp/resample.js';
import { mulberry32 } from '../../../src/ops/random.js';
import { corpusEntries } from '../../../src/streams/corpora/corpus.js';
import { readBytes } from '../../../src/streams/io/files.js';
import { liveRecognition, type Hypothesis } from '../../../src/streams/recognition/live-recognition.js';
import { DEFAULT_RECOGNIZER_OPTIONS, recognizerOf, type Recognizer } from '../../../src/streams/recognition/recognizer.js';
import { toneWordCheckpoint, toneWordCorpus, withCorpusCmvn } from '../../support/word-corpus.js';

interface Utterance {
  readonly id: string;
  readonly words: readonly string[];
  readonly samples: Float32Array;
}

let checkpoint: Checkpoint;
let held: Utterance[];

/** The tone-word checkpoint with global feature statistics, as lstmp train stores them. */
beforeAll(async () => {
  const dir = toneWordCorpus({ utterances: 40, seed: 3 });
  checkpoint = await withCorpusCmvn(await toneWordCheckpoint(dir), dir);
  held = [];
  for await (const { utterance } of corpusEntries(dir)) {
    const audio = decodeWav(readBytes(join(dir, utterance.wav)));
    if (E.isLeft(audio)) throw new Error(audio.left);
    if (utterance.split !== 'train') held.push({ id: utterance.id, words: utterance.words ?? [], samples: audio.right.samples });
  }
});

function recognizer(delay = 0): Recognizer {
  const made = recognizerOf({ ...checkpoint, delay }, DEFAULT_RECOGNIZER_OPTIONS);
  if (E.isLeft(made)) throw new Error(made.left);
  return made.right;
}

/** Feeds `samples` in blocks cut at the given sizes (cycled); every hypothesis, and which came before the end. */
function stream(r: Recognizer, samples: Float32Array, rate: number, cuts: readonly number[], endpointMs?: number) {
  const live = liveRecognition(r, { sampleRate: rate, endpointMs });
  const before: Hypothesis[] = [];
  for (let at = 0, i = 0; at < samples.length; i++) {
    const next = Math.min(samples.length, at + cuts[i % cuts.length]);
    before.push(...live.accept(samples.subarray(at, next)));
    at = next;
  }
  const after = live.end();
  const finals = [...before, ...after].filter((h) => h.type === 'final');
  return { before, after, finals, words: finals.flatMap((h) => h.words) };
}

function batch(r: Recognizer, samples: Float32Array, rate: number): readonly string[] {
  const result = r.recognizeWav(encodeWav(samples, rate));
  if (E.isLeft(result)) throw new Error(result.left);
  return result.right.words;
}

/** The audio as a recorder at `rate` would have it: resampled, then through 16-bit WAV. */
function at(rate: number, samples: Float32Array): Float32Array {
  if (rate === 16000) return samples;
  const audio = decodeWav(encodeWav(resample(samples, 16000, rate), rate));
  if (E.isLeft(audio)) throw new Error(audio.left);
  return audio.right.samples;
}

describe('liveRecognition', () => {
  it("finals together are batch recognition's words, for any blocks, sample rate, label delay and endpoint", () => {
    const recognizers = [recognizer(0), recognizer(2)];
    fc.assert(
      fc.property(
        fc.nat({ max: held.length - 1 }),
        fc.constantFrom(16000, 8000, 22050),
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 6 }),
        fc.constantFrom(0, 1),
        // Utterances here end in at most 0.3 s of silence: a 0.5 s endpoint never drops a path (that is the next test's).
        fc.constantFrom(0, 500),
        (u, rate, cuts, delay, endpointMs) => {
          const samples = at(rate, held[u].samples);
          const r = recognizers[delay];
          expect(stream(r, samples, rate, cuts, endpointMs).words).toEqual(batch(r, samples, rate));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('recognises the held-out utterances as batch does, and says partial words before the end of each', () => {
    const r = recognizer(2);
    let correct = 0;
    for (const { words, samples } of held) {
      const { before, words: finals } = stream(r, samples, 16000, [1600]);
      expect(finals).toEqual(batch(r, samples, 16000));
      if (finals.join(' ') === words.join(' ')) correct++;
      expect(before.some((h) => h.type === 'partial' && h.words.length > 0)).toBe(true);
    }
    // The tone words are easy: all but a few utterances come out right.
    expect(correct).toBeGreaterThanOrEqual(held.length - 2);
  });

  it('publishes a final at a pause long enough to be an endpoint, before the audio ends, with its times', () => {
    const r = recognizer(0);
    const [a, b] = held;
    const noise = mulberry32(5);
    const pause = Float32Array.from({ length: 16000 }, () => 0.004 * (noise() - 0.5)); // the corpus's silence
    const samples = new Float32Array(a.samples.length + pause.length + b.samples.length);
    samples.set(a.samples);
    samples.set(pause, a.samples.length);
    samples.set(b.samples, a.samples.length + pause.length);
    const { before, words } = stream(r, samples, 16000, [800], 500);
    expect(words).toEqual(batch(r, samples, 16000));
    const early = before.filter((h) => h.type === 'final');
    expect(early.length).toBeGreaterThan(0);
    expect(early[0].words).toEqual(batch(r, a.samples, 16000));
    const pauseStart = a.samples.length / 16000;
    expect(early[0].end).toBeLessThanOrEqual(pauseStart + 0.05);
    expect(early[0].start).toBeLessThan(early[0].end);
    // Published after half a second of the pause and within a block (0.05 s) plus the label delay and settling.
    expect(early[0].latencyMs).toBeGreaterThanOrEqual(500);
    expect(early[0].latencyMs).toBeLessThan(1000 + 200);
  });

  it('with endpoint 0 publishes each word once every surviving path agrees on it', () => {
    const r = recognizer(0);
    const longest = held.reduce((x, y) => (y.words.length > x.words.length ? y : x));
    const { before, words } = stream(r, longest.samples, 16000, [160], 0);
    expect(words).toEqual(batch(r, longest.samples, 16000));
    expect(before.filter((h) => h.type === 'final').length).toBeGreaterThan(0);
  });

  it('gives nothing for no audio, and refuses a sample that is not a number', () => {
    const r = recognizer(2);
    expect(stream(r, new Float32Array(0), 16000, [10]).finals).toEqual([]);
    const live = liveRecognition(r, { sampleRate: 16000 });
    live.accept(new Float32Array(100));
    expect(() => live.accept(Float32Array.of(0, NaN))).toThrow(new InputError('audio sample 101 is NaN, not a finite number'));
  });
});
