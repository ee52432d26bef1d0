/**
 * A voice lstmp never synthesized, as a user's recordings would come: digit
 * strings spoken by Festival's KED diphone voice (festvox-kdlpc16k, an
 * American male recorded at CMU; lstmp's corpora use eSpeak NG and flite,
 * never Festival or this speaker), written as three Kaldi data directories
 * (train, dev, test: wav.scp, text, utt2spk) with no alignments. Each
 * utterance draws its digits, its pace (Festival's Duration_Stretch) and its
 * pitch from the seed. Installs festival and the voice with apt-get when
 * they are missing (as root, as CI runs).
 *
 *     npx tsx bench/unseen-voice.ts --out data/ked [--utterances 800] [--seed 1]
 *
 * and then, as the README shows: lstmp import (each directory), lstmp train
 * --flat-start --minutes 4, lstmp decode on the test split.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DIGIT_WORDS } from '../src/model/corpus/digits.js';
import { mixSeed, mulberry32 } from '../src/ops/random.js';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'data/ked' }, utterances: { type: 'string', default: '800' }, seed: { type: 'string', default: '1' } } });
const out = resolve(values.out as string);
const count = Number(values.utterances);
const seed = Number(values.seed);

/** Festival and the KED voice, installed if missing. */
function ensureFestival(): void {
  const voice = '/usr/share/festival/voices/english/ked_diphone';
  if (spawnSync('sh', ['-c', `command -v text2wave && test -d ${voice}`]).status === 0) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'festival', 'festvox-kdlpc16k']]) {
    const run = spawnSync('apt-get', args, { env, stdio: 'inherit' });
    if (run.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed: install festival and festvox-kdlpc16k yourself`);
  }
}

interface Spoken {
  readonly id: string;
  readonly split: 'train' | 'dev' | 'test';
  readonly words: readonly string[];
  readonly stretch: number;
  readonly f0: number;
}

/** Utterance i: 1–7 digits, a pace of 0.85–1.25 × the voice's own, a mean pitch of 85–140 Hz; 8 of 10 train, 1 dev, 1 test. */
function plan(i: number): Spoken {
  const random = mulberry32(mixSeed(seed, i));
  const words = Array.from({ length: 1 + Math.floor(random() * 7) }, () => DIGIT_WORDS[Math.floor(random() * DIGIT_WORDS.length)]);
  const slot = i % 10;
  return {
    id: `ked${String(i).padStart(5, '0')}`,
    split: slot === 8 ? 'dev' : slot === 9 ? 'test' : 'train',
    words,
    stretch: 0.85 + 0.4 * random(),
    f0: Math.round(85 + 55 * random()),
  };
}

/** Speaks one utterance into `wav` with text2wave. */
function speak(utterance: Spoken, wav: string): Promise<void> {
  const intonation = `(set! int_lr_params '((target_f0_mean ${utterance.f0}) (target_f0_std ${Math.round(utterance.f0 / 7)}) (model_f0_mean 170) (model_f0_std 34)))`;
  const args = ['-eval', '(voice_ked_diphone)', '-eval', `(Parameter.set 'Duration_Stretch ${utterance.stretch.toFixed(3)})`, '-eval', intonation, '-o', wav];
  return new Promise((done, failed) => {
    const child = spawn('text2wave', args, { stdio: ['pipe', 'ignore', 'inherit'] });
    child.on('error', failed);
    child.on('exit', (code) => (code === 0 ? done() : failed(new Error(`text2wave exited with ${code} for ${utterance.id}`))));
    child.stdin.end(`${utterance.words.join(' ')}\n`);
  });
}

ensureFestival();
const utterances = Array.from({ length: count }, (_, i) => plan(i));
mkdirSync(join(out, 'wav'), { recursive: true });
let next = 0;
let done = 0;
await Promise.all(
  Array.from({ length: availableParallelism() }, async () => {
    while (next < utterances.length) {
      const utterance = utterances[next++];
      await speak(utterance, join(out, 'wav', `${utterance.id}.wav`));
      if (++done % 100 === 0) process.stderr.write(`${done}/${count} utterances\n`);
    }
  }),
);
for (const split of ['train', 'dev', 'test'] as const) {
  const mine = utterances.filter((u) => u.split === split);
  const dir = join(out, split);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'wav.scp'), mine.map((u) => `${u.id} ${join(out, 'wav', `${u.id}.wav`)}\n`).join(''));
  writeFileSync(join(dir, 'text'), mine.map((u) => `${u.id} ${u.words.join(' ').toUpperCase()}\n`).join(''));
  writeFileSync(join(dir, 'utt2spk'), mine.map((u) => `${u.id} ked\n`).join(''));
}
process.stdout.write(`${count} utterances of Festival's KED voice in ${out}/{train,dev,test}: Kaldi data directories without alignments\n`);
