import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatAlignmentLine } from '../../src/model/corpus/alignment.js';
import { encodeManifestLine, type Split } from '../../src/model/corpus/manifest.js';
import { frameCount } from '../../src/ops/dsp/fbank.js';
import { mulberry32 } from '../../src/ops/random.js';
import { encodeWav } from '../../src/ops/codecs/wav.js';

/** State k sounds as a tone of this frequency. */
const toneOf = (state: number) => 300 + 450 * state;

/**
 * A small corpus in lstmp's layout whose states are audible: each utterance is
 * a run of tones, state k a sine at toneOf(k) Hz, labelled frame by frame
 * (a frame takes the state at its centre). Learnable in seconds.
 */
export function toneCorpus(options: { utterances: number; states?: number; seed?: number; splits?: Split[] }): string {
  const dir = mkdtempSync(join(tmpdir(), 'lstmp-corpus-'));
  const states = options.states ?? 4;
  const random = mulberry32(options.seed ?? 1);
  mkdirSync(join(dir, 'wav'));
  const manifest: string[] = [];
  const alignments: string[] = [];
  for (let u = 0; u < options.utterances; u++) {
    const segments = 2 + Math.floor(random() * 4);
    const samples: number[] = [];
    const labels: number[] = [];
    for (let s = 0; s < segments; s++) {
      const state = Math.floor(random() * states);
      const length = 1600 + Math.floor(random() * 3200);
      for (let i = 0; i < length; i++) {
        samples.push(0.3 * Math.sin((2 * Math.PI * toneOf(state) * samples.length) / 16000) + 0.01 * (random() - 0.5));
        labels.push(state);
      }
    }
    const frames = frameCount(samples.length);
    const alignment = Array.from({ length: frames }, (_, t) => labels[160 * t + 200]);
    const id = `utt${String(u).padStart(3, '0')}`;
    writeFileSync(join(dir, 'wav', `${id}.wav`), encodeWav(Float32Array.from(samples), 16000));
    const split = options.splits?.[u % options.splits.length] ?? (u % 5 === 4 ? 'dev' : 'train');
    manifest.push(encodeManifestLine({ id, wav: `wav/${id}.wav`, words: ['tone'], speaker: `s${u % 3}`, split, frames }));
    alignments.push(formatAlignmentLine(id, alignment));
  }
  writeFileSync(join(dir, 'manifest.jsonl'), manifest.map((l) => `${l}\n`).join(''));
  writeFileSync(join(dir, 'alignments.txt'), alignments.map((l) => `${l}\n`).join(''));
  writeFileSync(join(dir, 'states.txt'), Array.from({ length: states }, (_, k) => `tone${k}\n`).join(''));
  return dir;
}
