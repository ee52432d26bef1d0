/**
 * Recognition on conditions training did not see, measured with the
 * commands a user runs (`lstmp synth`, `train`, `decode`), each printed as it
 * runs:
 *
 * - leave one synthesizer out: train on eSpeak NG alone and recognise flite's
 *   held-out voice, with generated speakers and with eSpeak's stock voices
 *   (the same number of utterances, the same training time), each with and
 *   without augmentation; and the reverse, flite alone tested on eSpeak;
 * - the main job's mix (both synthesizers, generated speakers, augmented)
 *   on its held-out test voices, clean, through a telephone line, in pink
 *   noise at 10 and 0 dB and in a room.
 *
 *     npx tsx bench/robustness.ts [--minutes 4 | --frames F] [--utterances 6000] [--out runs/robustness]
 *
 * Corpora and runs stay in --out (made once, reused); results.json and a
 * Markdown table are written there and the table printed. Each training run
 * takes --minutes, so the whole takes about 6 × that plus synthesis; on a
 * busy machine `--frames` gives every run the same training instead.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '4' }, frames: { type: 'string' }, utterances: { type: 'string', default: '6000' }, out: { type: 'string', default: 'runs/robustness' } } });
const minutes = Number(values.minutes);
const utterances = Number(values.utterances);
const budget = values.frames === undefined ? ['--minutes', String(minutes)] : ['--frames', values.frames];
const trained = values.frames === undefined ? `${minutes} min of training` : `${values.frames} frames of training`;
const out = resolve(values.out as string);
const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
/** The main job's network and training (lstmp demo), so every figure here is about the same model. */
const NETWORK = ['--cells', '192', '--projection', '96', '--layers', '2', '--init-range', '0.1', '--lr', '0.001', '--momentum', '0.5', '--anneal', '0.05', '--bias-rate', '0.1'];

/** Runs one lstmp command, printing it; its stdout's last line as JSON. */
function lstmp(args: readonly string[]): Record<string, unknown> {
  process.stderr.write(`$ lstmp ${args.join(' ')}\n`);
  const run = spawnSync(process.execPath, [cli, ...args, '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (run.status !== 0) throw new Error(`lstmp ${args[0]} failed (exit ${run.status})`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as Record<string, unknown>;
}

/** A corpus made by lstmp synth with these options, once. */
function corpus(name: string, options: readonly string[]): string {
  const dir = join(out, 'corpora', name);
  if (!existsSync(join(dir, 'manifest.jsonl'))) lstmp(['synth', '--out', dir, '--utterances', String(utterances), ...options]);
  return dir;
}

/** A model trained on `from` for the budget, with or without augmentation, once. */
function model(name: string, from: string, augment: 'all' | 'none'): string {
  const dir = join(out, 'runs', name);
  if (!existsSync(join(dir, 'model.msgpack'))) lstmp(['train', '--corpus', from, '--out', dir, ...NETWORK, ...budget, '--augment', augment]);
  return join(dir, 'model.msgpack');
}

/** Word error rate of a model on a corpus's test split, heard in a condition. */
function wer(checkpoint: string, on: string, condition = 'clean'): number {
  return lstmp(['decode', '--checkpoint', checkpoint, '--corpus', on, '--split', 'test', '--condition', condition, '--quiet']).wer as number;
}

mkdirSync(out, { recursive: true });
const espeakGenerated = corpus('espeak-generated', ['--synthesizers', 'espeak']);
const espeakStock = corpus('espeak-stock', ['--synthesizers', 'espeak', '--speakers', 'stock']);
const fliteGenerated = corpus('flite-generated', ['--synthesizers', 'flite']);
const both = corpus('both', []);

const leaveOneOut = [
  { trained: 'eSpeak NG, generated speakers', augmentation: 'none', model: model('espeak-generated-none', espeakGenerated, 'none'), tested: fliteGenerated },
  { trained: 'eSpeak NG, generated speakers', augmentation: 'all', model: model('espeak-generated-all', espeakGenerated, 'all'), tested: fliteGenerated },
  { trained: "eSpeak NG, its stock voices", augmentation: 'none', model: model('espeak-stock-none', espeakStock, 'none'), tested: fliteGenerated },
  { trained: "eSpeak NG, its stock voices", augmentation: 'all', model: model('espeak-stock-all', espeakStock, 'all'), tested: fliteGenerated },
  { trained: 'flite, generated speakers', augmentation: 'all', model: model('flite-generated-all', fliteGenerated, 'all'), tested: espeakGenerated },
].map((row) => ({ ...row, wer: wer(row.model, row.tested) }));

const mixed = model('both-all', both, 'all');
const conditions = ['clean', 'telephone', 'noisy10dB', 'noisy0dB', 'reverb'].map((condition) => ({ condition, wer: wer(mixed, both, condition) }));

const percent = (x: number) => `${(100 * x).toFixed(2)} %`;
const table = [
  `Leave one synthesizer out (${trained} each, ${utterances} utterances per corpus):`,
  '',
  '| trained on | augmentation | tested on | test WER |',
  '|---|---|---|---|',
  ...leaveOneOut.map((r) => `| ${r.trained} | ${r.augmentation} | ${r.tested === fliteGenerated ? "flite's held-out voice" : "eSpeak NG's held-out voices"} | ${percent(r.wer)} |`),
  '',
  `Both synthesizers, generated speakers, augmented (${trained}), on their held-out voices:`,
  '',
  '| condition | test WER |',
  '|---|---|',
  ...conditions.map((c) => `| ${c.condition} | ${percent(c.wer)} |`),
].join('\n');
writeFileSync(join(out, 'results.json'), `${JSON.stringify({ minutes, frames: values.frames, utterances, leaveOneOut, conditions }, null, 2)}\n`);
writeFileSync(join(out, 'results.md'), `${table}\n`);
process.stdout.write(`${table}\n`);
