import * as E from 'fp-ts/lib/Either.js';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatAlignmentLine } from '../../src/model/corpus/alignment.js';
import type { Checkpoint } from '../../src/model/formats/checkpoint.js';
import type { ModelConfig } from '../../src/model/network/config.js';
import { priorsOf } from '../../src/model/decoding/decoding-model.js';
import { layoutOf, viewsOf } from '../../src/model/network/layout.js';
import { formatLexicon, lexicon } from '../../src/model/corpus/lexicon.js';
import { encodeManifestLine, type Split } from '../../src/model/corpus/manifest.js';
import { formatStates, phoneIndices, stateId, stateInventory } from '../../src/model/corpus/states.js';
import { fbankPlan, frameCount } from '../../src/ops/dsp/fbank.js';
import { accumulateCmvn, emptyCmvnStats } from '../../src/ops/dsp/cmvn.js';
import { mulberry32 } from '../../src/ops/random.js';
import { encodeWav } from '../../src/ops/codecs/wav.js';
import { corpusDecodingModel } from '../../src/streams/recognition/corpus-decoding-model.js';
import { featuresOf } from '../../src/streams/pipeline/features.js';
import { readBytes } from '../../src/streams/io/files.js';
import { corpusEntries } from '../../src/streams/corpora/corpus.js';

/** The words of the tone-word corpus and their pronunciations ("three" has two). */
export const TONE_LEXICON = lexicon([
  { word: 'one', phones: ['a', 'b'] },
  { word: 'two', phones: ['c'] },
  { word: 'three', phones: ['d', 'e'] },
  { word: 'three', phones: ['d', 'a'] },
]);
export const TONE_INVENTORY = stateInventory(['a', 'b', 'c', 'd', 'e']);
const WORDS = ['one', 'two', 'three'];

/** Speech state s sounds as a tone, log-spaced so that the mel filterbank tells them apart. */
const toneOf = (state: number) => 250 * 1.2 ** (state - 3);
const FRAME = 160;

/**
 * A small corpus in lstmp's layout (manifest, alignments, states.txt,
 * lexicon.txt, WAVs) whose words are audible: each HMM state of each phone
 * is a tone, silence is faint noise. Utterances are 1–4 words with silence
 * around them and sometimes between; 3 of every 5 go to train, then one to
 * dev and one to test.
 */
export function toneWordCorpus(options: { utterances: number; seed?: number }): string {
  const dir = mkdtempSync(join(tmpdir(), 'lstmp-words-'));
  const random = mulberry32(options.seed ?? 1);
  const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  const phones = phoneIndices(TONE_INVENTORY);
  mkdirSync(join(dir, 'wav'));
  const manifest: string[] = [];
  const alignments: string[] = [];
  for (let u = 0; u < options.utterances; u++) {
    const words = Array.from({ length: between(1, 4) }, () => WORDS[between(0, WORDS.length - 1)]);
    const labels: number[] = []; // state per sample
    const silence = (frames: number) => labels.push(...Array<number>(frames * FRAME).fill(stateId(0, 1)));
    silence(between(15, 30));
    words.forEach((word, k) => {
      const spoken = TONE_LEXICON.filter((p) => p.word === word);
      for (const phone of spoken[between(0, spoken.length - 1)].phones) {
        for (let j = 0; j < 3; j++) labels.push(...Array<number>(between(5, 9) * FRAME).fill(stateId(phones.get(phone) as number, j)));
      }
      if (k + 1 < words.length && random() < 0.3) silence(between(8, 15));
    });
    silence(between(15, 30));
    const samples = Float32Array.from(labels, (state, n) => (state >= 3 ? 0.3 * Math.sin((2 * Math.PI * toneOf(state) * n) / 16000) : 0) + 0.004 * (random() - 0.5));
    const frames = frameCount(samples.length);
    // A frame takes the state at its centre; silence frames are labelled by position (start, middle, end).
    const alignment = Array.from({ length: frames }, (_, t) => labels[FRAME * t + 200]);
    for (let t = 0; t < frames; t++) {
      if (alignment[t] >= 3) continue;
      const before = t === 0 || alignment[t - 1] >= 3;
      const after = t + 1 === frames || labels[FRAME * (t + 1) + 200] >= 3;
      alignment[t] = before ? 0 : after ? 2 : 1;
    }
    const id = `tw${String(u).padStart(4, '0')}`;
    writeFileSync(join(dir, 'wav', `${id}.wav`), encodeWav(samples, 16000));
    const split: Split = u % 5 === 3 ? 'dev' : u % 5 === 4 ? 'test' : 'train';
    manifest.push(`${encodeManifestLine({ id, wav: `wav/${id}.wav`, words, speaker: `s${u % 2}`, split, frames })}\n`);
    alignments.push(`${formatAlignmentLine(id, alignment)}\n`);
  }
  writeFileSync(join(dir, 'manifest.jsonl'), manifest.join(''));
  writeFileSync(join(dir, 'alignments.txt'), alignments.join(''));
  writeFileSync(join(dir, 'states.txt'), formatStates(TONE_INVENTORY));
  writeFileSync(join(dir, 'lexicon.txt'), formatLexicon(TONE_LEXICON));
  return dir;
}

const GAIN = 0.25;
/** How confident its posteriors are: as sharp as a trained network's, which the recognizer's acoustic scale (0.1) expects. */
const SHARPNESS = 15;

/**
 * A checkpoint that hears the tone-word corpus without training: a
 * one-layer LSTM whose gates are pinned open (input, output) and shut
 * (forget), so each cell holds tanh(GAIN · feature) of the current frame,
 * and a softmax that is a nearest-centroid classifier over those cell
 * outputs, the centroids measured on the training frames, with the state
 * priors in its biases. The decoding model comes from the corpus as
 * `lstmp train` would store it; no label delay, no cmvn (features are
 * normalised per utterance).
 */
export async function toneWordCheckpoint(dir: string): Promise<Checkpoint> {
  const S = TONE_INVENTORY.names.length;
  const config: ModelConfig = { inputs: 40, cells: 40, projection: 0, layers: 1, outputs: S, cellClip: 50, peepholes: false };
  const C = config.cells;
  const parameters = new Float32Array(layoutOf(config).size);
  const w = viewsOf(config, parameters);
  const layer = w.layers[0];
  for (let j = 0; j < C; j++) {
    layer.b[j] = 20; // input gate open
    layer.b[C + j] = -20; // forget gate shut
    layer.b[3 * C + j] = 20; // output gate open
    layer.Wx[(2 * C + j) * config.inputs + j] = GAIN;
  }
  const sums = new Float64Array(S * C);
  const counts = new Float64Array(S);
  const plan = fbankPlan({ bins: 40 });
  for await (const { utterance, alignment } of corpusEntries(dir)) {
    if (utterance.split !== 'train') continue;
    const features = featuresOf(readBytes(join(dir, utterance.wav)), plan, 'utterance');
    if (E.isLeft(features)) throw new Error(features.left);
    const x = features.right.data;
    for (let t = 0; t < alignment.length; t++) {
      counts[alignment[t]]++;
      for (let j = 0; j < C; j++) sums[alignment[t] * C + j] += Math.tanh(Math.tanh(GAIN * x[t * C + j]));
    }
  }
  const total = counts.reduce((a, b) => a + b, 0);
  for (let s = 0; s < S; s++) {
    if (counts[s] === 0) {
      w.by[s] = -30;
      continue;
    }
    let norm = 0;
    for (let j = 0; j < C; j++) {
      const mean = sums[s * C + j] / counts[s];
      w.Wyr[s * C + j] = SHARPNESS * mean;
      norm += mean * mean;
    }
    w.by[s] = -0.5 * SHARPNESS * norm + Math.log(counts[s] / total);
  }
  const decoding = await corpusDecodingModel(dir);
  return { config, parameters, states: [...TONE_INVENTORY.names], decoding, priors: priorsOf(decoding), delay: 0 };
}

/**
 * The checkpoint with global feature statistics of the corpus's training
 * split, as lstmp train stores them (streaming recognition then hears
 * exactly the features batch recognition does).
 */
export async function withCorpusCmvn(checkpoint: Checkpoint, dir: string): Promise<Checkpoint> {
  let stats = emptyCmvnStats(checkpoint.config.inputs);
  const plan = fbankPlan({ bins: checkpoint.config.inputs });
  for await (const { utterance } of corpusEntries(dir)) {
    if (utterance.split !== 'train') continue;
    const features = featuresOf(readBytes(join(dir, utterance.wav)), plan, 'none');
    if (E.isLeft(features)) throw new Error(features.left);
    stats = accumulateCmvn(stats, features.right);
  }
  return { ...checkpoint, cmvn: stats };
}
