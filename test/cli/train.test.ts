import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/streams/io/checkpoint-file.js';
import { buildCli, refusalNaming, runCli, startCli } from '../support/cli.js';
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

  it('appends to metrics.jsonl when it resumes into the same run directory, keeping the history', async () => {
    const out = runDir('continued');
    expect((await runCli(['train', '--corpus', corpus, '--out', out, ...small, '--threads', '1', '--frames', '4000'])).status).toBe(0);
    const before = readFileSync(join(out, 'metrics.jsonl'), 'utf8');
    const resumed = await runCli(['train', '--corpus', corpus, '--out', out, ...small, '--threads', '1', '--frames', '8000', '--resume', join(out, 'model.msgpack')]);
    expect(resumed.status).toBe(0);
    const after = readFileSync(join(out, 'metrics.jsonl'), 'utf8');
    expect(after.startsWith(before)).toBe(true);
    const added = metrics(out).slice(before.trim().split('\n').length);
    expect(added.some((m) => m.type === 'evaluation')).toBe(true);
    expect(Math.min(...added.map((m) => m.framesSeen as number))).toBeGreaterThanOrEqual(4000);
  });

  it('refuses a network shape that conflicts with --resume\'s checkpoint, in one line', async () => {
    const first = runDir('shape');
    expect((await runCli(['train', '--corpus', corpus, '--out', first, ...small, '--threads', '1', '--frames', '1000'])).status).toBe(0);
    const checkpoint = join(first, 'model.msgpack');
    const conflicting = await runCli(['train', '--corpus', corpus, '--out', runDir('shape2'), ...small, '--cells', '32', '--frames', '2000', '--resume', checkpoint]);
    expect(refusalNaming(conflicting, checkpoint)).toBe('holds a 1-layer LSTMP (16 cells, 8 projection units); --cells 32 conflicts with it (--resume continues the checkpoint\'s network: leave --cells out)');
    // The same shape given again is no conflict.
    expect((await runCli(['train', '--corpus', corpus, '--out', runDir('shape3'), ...small, '--frames', '2000', '--resume', checkpoint])).status).toBe(0);
  });

  it('stops on a diverging loss with a clear message and keeps the last good checkpoint', async () => {
    const good = runDir('good');
    expect((await runCli(['train', '--corpus', corpus, '--out', good, ...small, '--threads', '1', '--frames', '3000'])).status).toBe(0);
    const saved = ['model.msgpack', 'last.msgpack'].map((file) => readFileSync(join(good, file)));
    const result = await runCli(['train', '--corpus', corpus, '--out', good, ...small, '--lr', '1e30', '--threads', '2', '--frames', '100000', '--resume', join(good, 'last.msgpack')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^lstmp: training diverged: the (loss|gradient) is not finite.*; no checkpoint was written in this run: .*good\/last\.msgpack is as it was\n$/);
    expect(['model.msgpack', 'last.msgpack'].map((file) => readFileSync(join(good, file)))).toEqual(saved);
  });

  it('says no checkpoint was written when it diverges before the first evaluation, and names the last one kept when it diverges after', async () => {
    const early = runDir('early');
    const result = await runCli(['train', '--corpus', corpus, '--out', early, ...small, '--lr', '1e30', '--eval-every', '100000000', '--threads', '1', '--frames', '100000']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^lstmp: training diverged: the (loss is not finite \(\w+\)|gradient is not finite \(the loss was [^)]+\)); no checkpoint was written yet \(the first comes after --eval-every 100000000 frames\)\n$/);
    // One thread trains the same way every time: at this rate it diverges after about 12,000 frames, some 20 evaluations (every 500 frames) later.
    const late = runDir('late');
    const diverging = await runCli(['train', '--corpus', corpus, '--out', late, ...small, '--lr', '0.04', '--eval-every', '500', '--threads', '1', '--frames', '1000000']);
    expect(diverging.status).toBe(1);
    const kept = loadCheckpoint(join(late, 'last.msgpack')).training!.framesSeen;
    expect(diverging.stderr).toMatch(new RegExp(`^lstmp: training diverged: .*; the last good checkpoint, at ${kept} frames, is kept in ${join(late, 'last.msgpack')} \\(the best on dev in model\\.msgpack\\)\\n$`));
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('ends on %s with a last evaluation and checkpoint, exit 0', async (signal) => {
    const out = runDir(signal);
    const running = startCli(['train', '--corpus', corpus, '--out', out, ...small.filter((a) => a !== '--quiet'), '--eval-every', '100000000', '--threads', '1', '--epochs', '1000']);
    await running.stderrLine(/^train: \d+/);
    running.child.kill(signal);
    const result = await running.ended;
    expect(result.stderr).toContain('stopping: finishing the current chunks, then a last evaluation and checkpoint');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^trained \d+ frames in \d+ s; kept the model of frame \d+, the best on dev: frame accuracy \d+\.\d+%\n/);
    const saved = loadCheckpoint(join(out, 'last.msgpack')).training!;
    expect(saved.framesSeen).toBeGreaterThan(0);
    expect(metrics(out).filter((m) => m.type === 'evaluation').at(-1)!.framesSeen).toBe(saved.framesSeen);
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

  // --kernels auto (the default) is native where the addon is built; LSTMP_NATIVE=0 is a clone without it.
  it('trains on wasm where the native kernels are not there, saying so in one line, and refuses --kernels native there', async () => {
    const withoutNative = { ...process.env, LSTMP_NATIVE: '0' };
    const out = runDir('fallback');
    const result = await runCli(['train', '--corpus', corpus, '--out', out, ...small, '--threads', '2', '--frames', '2000'], undefined, { env: withoutNative });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('lstmp: native kernels unavailable (turned off by LSTMP_NATIVE=0); using wasm\n');
    expect(loadCheckpoint(join(out, 'model.msgpack')).training?.framesSeen).toBeGreaterThanOrEqual(2000);
    const refused = await runCli(['train', '--corpus', corpus, '--out', runDir('refused'), ...small, '--kernels', 'native'], undefined, { env: withoutNative });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toBe('lstmp: --kernels native: the native kernels are unavailable here (turned off by LSTMP_NATIVE=0)\n');
  });

  it('refuses a missing corpus and a config that does not fit, in one line', async () => {
    const missing = await runCli(['train', '--corpus', '/nonexistent', '--out', runDir('x')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe('lstmp: /nonexistent/states.txt: no such file\n');
    // A checkpoint for another corpus (five outputs for four states), and a config with a field it does not know.
    const other = join(corpus, 'five-outputs.msgpack');
    expect((await runCli(['init', '--inputs', '40', '--cells', '8', '--layers', '1', '--outputs', '5', '--out', other])).status).toBe(0);
    expect(refusalNaming(await runCli(['train', '--corpus', corpus, '--out', runDir('y'), '--resume', other]), other)).toBe('the network has 5 outputs, the corpus 4 states');
    const config = join(corpus, 'typo.json');
    writeFileSync(config, '{"cels": 16, "layers": 1}');
    expect(refusalNaming(await runCli(['train', '--corpus', corpus, '--out', runDir('z'), '--config', config]), config)).toBe('unknown config field "cels"');
  });
});

afterAll(() => runs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
