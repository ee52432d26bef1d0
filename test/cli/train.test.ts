import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/streams/io/checkpoint-file.js';
import { buildCli, runCli } from '../support/cli.js';
import { toneCorpus } from '../support/corpus.js';

let corpus: string;
const runs: string[] = [];
const runDir = (name: string) => {
  const dir = join(corpus, 'runs', name);
  runs.push(dir);
  return dir;
};
// One layer learns the tones in a few thousand frames.
const small = ['--cells', '16', '--projection', '8', '--layers', '1', '--lr', '0.01', '--eval-every', '5000', '--quiet'];

beforeAll(() => {
  buildCli();
  corpus = toneCorpus({ utterances: 60 });
});
afterAll(() => rmSync(corpus, { recursive: true, force: true }));

const metrics = (dir: string) =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, number | string>);

const lastDevAccuracy = (dir: string) => metrics(dir).filter((m) => m.type === 'evaluation').at(-1)!.devFrameAccuracy as number;

describe('lstmp train', () => {
  it.each([1, 2])('converges with %i thread(s), writing metrics and a checkpoint', async (threads) => {
    const out = runDir(`threads${threads}`);
    const result = await runCli(['train', '--corpus', corpus, '--out', out, ...small, '--threads', String(threads), '--epochs', '4']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^trained \d+ frames in \d+ s; kept the model of frame \d+, the best on dev: frame accuracy \d+\.\d+%\n.*model\.msgpack\n$/);
    expect(lastDevAccuracy(out)).toBeGreaterThan(0.8);
    const checkpoint = loadCheckpoint(join(out, 'model.msgpack'));
    // model.msgpack is the evaluation best on dev (the last of equals), last.msgpack where training ended
    const evaluations = metrics(out).filter((m) => m.type === 'evaluation');
    const best = evaluations.reduce((a, b) => ((b.devFrameAccuracy as number) >= (a.devFrameAccuracy as number) ? b : a));
    expect(checkpoint.training?.framesSeen).toBe(best.framesSeen);
    expect(loadCheckpoint(join(out, 'last.msgpack')).training?.epoch).toBe(4);
    expect(checkpoint.states).toEqual(['tone0', 'tone1', 'tone2', 'tone3']);
    expect(checkpoint.delay).toBe(5);
    expect(checkpoint.cmvn?.count).toBeGreaterThan(0);
  });

  it('prints one JSON line with --json and nothing on stderr', async () => {
    const out = runDir('json');
    const result = await runCli(['train', '--corpus', corpus, '--out', out, ...small.filter((a) => a !== '--quiet'), '--threads', '1', '--frames', '2000', '--json']);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    const line = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(line)).toEqual(['devFrameAccuracy', 'devLoss', 'frames', 'keptFrames', 'seconds', 'skipped', 'checkpoint']);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(line.checkpoint).toBe(join(out, 'model.msgpack'));
  });

  it('resumes from a checkpoint at its schedule position', async () => {
    const first = runDir('first');
    expect((await runCli(['train', '--corpus', corpus, '--out', first, ...small, '--threads', '1', '--frames', '6000'])).status).toBe(0);
    const before = loadCheckpoint(join(first, 'last.msgpack')).training!;
    const resumed = runDir('resumed');
    const result = await runCli(['train', '--corpus', corpus, '--out', resumed, ...small, '--threads', '1', '--frames', '12000', '--resume', join(first, 'last.msgpack')]);
    expect(result.status).toBe(0);
    const after = loadCheckpoint(join(resumed, 'last.msgpack')).training!;
    expect(after.framesSeen).toBeGreaterThanOrEqual(12000);
    expect(after.updates).toBeGreaterThan(before.updates);
    const firstProgress = metrics(resumed).find((m) => m.type === 'progress' || m.type === 'evaluation')!;
    expect(firstProgress.framesSeen).toBeGreaterThan(before.framesSeen);
  });

  it('stops on a diverging loss with a clear message and keeps the last good checkpoint', async () => {
    const good = runDir('good');
    expect((await runCli(['train', '--corpus', corpus, '--out', good, ...small, '--threads', '1', '--frames', '3000'])).status).toBe(0);
    const saved = readFileSync(join(good, 'model.msgpack'));
    const result = await runCli(['train', '--corpus', corpus, '--out', good, ...small, '--lr', '1e30', '--threads', '2', '--frames', '100000', '--resume', join(good, 'model.msgpack')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^lstmp: training diverged: the (loss|gradient) is not finite.*; the last good checkpoint is kept\n$/);
    expect(readFileSync(join(good, 'model.msgpack'))).toEqual(saved);
  });

  it('skips a broken utterance, naming it, or stops with --strict', async () => {
    const broken = toneCorpus({ utterances: 6, splits: ['train', 'train', 'dev'] });
    runs.push(broken);
    rmSync(join(broken, 'wav', 'utt001.wav'));
    const skipping = await runCli(['train', '--corpus', broken, '--out', join(broken, 'run'), ...small, '--threads', '1', '--epochs', '1']);
    expect(skipping.status).toBe(0);
    expect(skipping.stdout).toMatch(/1 utterances skipped/);
    const strict = await runCli(['train', '--corpus', broken, '--out', join(broken, 'run'), ...small, '--threads', '1', '--epochs', '1', '--strict']);
    expect(strict.status).toBe(2);
    expect(strict.stderr).toMatch(/^lstmp: .*utt001/);
  });

  it('refuses a missing corpus and a config that does not fit, in one line', async () => {
    const missing = await runCli(['train', '--corpus', '/nonexistent', '--out', runDir('x')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe('lstmp: /nonexistent/states.txt: no such file\n');
  });
});

afterAll(() => runs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
