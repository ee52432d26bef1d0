import * as E from 'fp-ts/lib/Either.js';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../../src/model/formats/checkpoint.js';
import { viewsOf } from '../../../src/model/network/layout.js';
import { acousticScores } from '../../../src/ops/search/acoustic-scores.js';
import { chunkedForward } from '../../../src/ops/nn/chunked-forward.js';
import { addErrorCounts, editAlignment, NO_ERRORS, wordErrorRate } from '../../../src/ops/search/edit-distance.js';
import { corpusEntries } from '../../../src/streams/corpora/corpus.js';
import { readBytes } from '../../../src/streams/io/files.js';
import { DEFAULT_RECOGNIZER_OPTIONS, recognizerOf, type Recognizer } from '../../../src/streams/recognition/recognizer.js';
import { toneWordCheckpoint, toneWordCorpus } from '../../support/word-corpus.js';
import { portableKernels } from '../../../src/ops/kernels/portable/portable-kernels.js';

let dir: string;
let checkpoint: Checkpoint;
beforeAll(async () => {
  dir = toneWordCorpus({ utterances: 30 });
  checkpoint = await toneWordCheckpoint(dir);
});

function recognizer(ck = checkpoint, options = DEFAULT_RECOGNIZER_OPTIONS): Recognizer {
  const made = recognizerOf(ck, options);
  if (E.isLeft(made)) throw new Error(made.left);
  return made.right;
}

describe('recognizer', () => {
  it('transcribes the held-out utterances of the tone-word corpus almost perfectly', async () => {
    const r = recognizer();
    let totals = NO_ERRORS;
    for await (const { utterance } of corpusEntries(dir)) {
      if (utterance.split === 'train') continue;
      const result = r.recognizeWav(readBytes(join(dir, utterance.wav)));
      if (E.isLeft(result)) throw new Error(result.left);
      expect(result.right.final).toBe(true);
      totals = addErrorCounts(totals, editAlignment(utterance.words, result.right.words).counts);
    }
    expect(totals.sentences).toBe(12);
    expect(wordErrorRate(totals)).toBeLessThanOrEqual(0.05);
  });

  it("scores frame t with the network's output at t + delay, the last frame repeated", () => {
    const ck: Checkpoint = { ...checkpoint, delay: 3 };
    const r = recognizer(ck, { ...DEFAULT_RECOGNIZER_OPTIONS, kernels: portableKernels });
    const T = 7;
    const x = Float32Array.from({ length: T * 40 }, (_, i) => Math.sin(i));
    const padded = new Float32Array((T + 3) * 40);
    padded.set(x);
    for (let t = T; t < T + 3; t++) padded.set(x.subarray((T - 1) * 40), t * 40);
    const logp = chunkedForward(portableKernels, ck.config, viewsOf(ck.config, ck.parameters), padded, T + 3, 5);
    const expected = new Float32Array(T * 18);
    acousticScores(logp, 3, T, 18, ck.priors as Float32Array, DEFAULT_RECOGNIZER_OPTIONS, expected);
    expect(r.scores({ frames: T, dim: 40, features: x })).toEqual(expected);
  });

  it('gives no words for no frames, and refuses a bad WAV in words', () => {
    expect(recognizer().recognize({ frames: 0, dim: 40, features: new Float32Array(0) })).toMatchObject({ words: [], frames: 0 });
    const bad = recognizer().recognizeWav(new TextEncoder().encode('not a wav'));
    expect(E.isLeft(bad) && bad.left).toMatch(/RIFF|WAV/);
  });

  it('refuses checkpoints that cannot decode', () => {
    const { decoding: _, ...bare } = checkpoint;
    expect(recognizerOf(bare, DEFAULT_RECOGNIZER_OPTIONS)).toEqual(E.left('no decoding model (lexicon, transitions, bigram): train on a corpus with lexicon.txt, or give --corpus'));
    expect(recognizerOf({ ...checkpoint, states: undefined }, DEFAULT_RECOGNIZER_OPTIONS)).toEqual(E.left('no state names'));
    expect(recognizerOf({ ...checkpoint, states: checkpoint.states!.slice(3) }, DEFAULT_RECOGNIZER_OPTIONS)).toEqual(
      E.left('the network has 18 outputs, the decoding model 18 states and 15 state names'),
    );
    const renamed = checkpoint.states!.map((name, s) => (s === 4 ? 'a_7' : name));
    expect(E.isLeft(recognizerOf({ ...checkpoint, states: renamed }, DEFAULT_RECOGNIZER_OPTIONS))).toBe(true);
  });
});
