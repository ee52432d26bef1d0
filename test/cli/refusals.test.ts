import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCheckpoint } from '../../src/model/formats/checkpoint.js';
import type { ModelConfig } from '../../src/model/network/config.js';
import { initParameters } from '../../src/model/network/init.js';
import { plainMsgpack } from '../../src/model/formats/tensors.js';
import { encodeNpy } from '../../src/ops/codecs/npy.js';
import { buildCli, refusalNaming, runCli } from '../support/cli.js';
import { toneCorpus } from '../support/corpus.js';

// Every command that writes, and every command that reads a checkpoint: a path the file system
// refuses, or a checkpoint whose config asks for an absurd size, ends in one line naming it, exit 2.
let corpus: string;
let checkpoint: string;
let absurd: string;
let features: string;
let targets: string;
let run: string;
/** A regular file: any path under it is refused (ENOTDIR), whoever runs the tests (root included). */
let file: string;
const config: ModelConfig = { inputs: 40, cells: 8, projection: 4, layers: 1, outputs: 4, cellClip: 50, peepholes: true };
const secret = { ...process.env, LSTMP_SECRET: 'a secret for the refusals' };

beforeAll(() => {
  buildCli();
  corpus = toneCorpus({ utterances: 10 });
  const at = (name: string) => join(corpus, name);
  checkpoint = at('ck.msgpack');
  const bytes = encodeCheckpoint({ config, parameters: initParameters(config, 1, 0.1) });
  writeFileSync(checkpoint, bytes);
  // The small network's tensors under a config that claims 3 layers of 100,000 cells (200 G parameters).
  const claims = plainMsgpack.unpack(bytes) as { config: Record<string, unknown> };
  claims.config = { ...claims.config, cells: 100_000, projection: 0, layers: 3 };
  absurd = at('absurd.msgpack');
  writeFileSync(absurd, plainMsgpack.pack(claims));
  features = at('x.npy');
  writeFileSync(features, encodeNpy({ dtype: 'float32', shape: [3, 40], data: new Float32Array(120) }));
  targets = at('y.npy');
  writeFileSync(targets, encodeNpy({ dtype: 'int32', shape: [3], data: new Int32Array(3) }));
  run = at('run');
  mkdirSync(run);
  writeFileSync(join(run, 'metrics.jsonl'), `${JSON.stringify({ type: 'progress', framesSeen: 1, seconds: 1, epoch: 0, learningRate: 0.01, framesPerSecond: 1, trainLoss: 1, trainFrameAccuracy: 0 })}\n`);
  file = at('a-file');
  writeFileSync(file, 'not a directory');
});
afterAll(() => rmSync(corpus, { recursive: true, force: true }));

describe('every command', () => {
  const under = (name: string) => join(file, name);

  it.each([
    ['init', () => ['init', '--inputs', '40', '--cells', '8', '--layers', '1', '--outputs', '4', '--out', under('ck.msgpack')], () => under('ck.msgpack'), 'cannot write (ENOTDIR)'],
    ['fbank', () => ['fbank', join(corpus, 'wav', 'utt000.wav'), '--out', under('x.npy')], () => under('x.npy'), 'cannot write (ENOTDIR)'],
    ['forward', () => ['forward', '--checkpoint', checkpoint, '--features', features, '--out', under('l.npy')], () => under('l.npy'), 'cannot write (ENOTDIR)'],
    ['bptt', () => ['bptt', '--checkpoint', checkpoint, '--features', features, '--targets', targets, '--out', under('g.msgpack')], () => under('g.msgpack'), 'cannot write (ENOTDIR)'],
    ['report', () => ['report', run, '--out', under('r.html')], () => under('r.html'), 'cannot write (ENOTDIR)'],
    ['explain', () => ['explain', '--checkpoint', checkpoint, '--corpus', corpus, '--utterance', 'utt000', '--out', under('e.html')], () => under('e.html'), 'cannot write (ENOTDIR)'],
    ['train', () => ['train', '--corpus', corpus, '--out', under('run'), '--frames', '100'], () => under('run'), 'cannot create the directory (ENOTDIR)'],
    ['cluster', () => ['cluster', '--corpus', corpus, '--out', under('run'), '--frames', '100'], () => under('run'), 'cannot create the directory (ENOTDIR)'],
    ['demo', () => ['demo', '--corpus', corpus, '--out', under('run'), '--train-seconds', '1'], () => under('run'), 'cannot create the directory (ENOTDIR)'],
    ['synth', () => ['synth', '--out', under('corpus'), '--utterances', '1'], () => under('corpus'), 'cannot create the directory (ENOTDIR)'],
    ['ps', () => ['ps', '--shard', '0/1', '--state', file, '--init', checkpoint], () => file, 'cannot create the directory (EEXIST)'],
  ])('%s refuses an output path the file system refuses, in one line naming it', async (_, args, named, reason) => {
    expect(refusalNaming(await runCli(args(), undefined, { env: secret }), named())).toBe(reason);
  });

  it('train refuses a checkpoint it cannot save (a directory in its place), in one line naming it', async () => {
    const out = join(corpus, 'blocked');
    mkdirSync(join(out, 'model.msgpack'), { recursive: true });
    const result = await runCli(['train', '--corpus', corpus, '--out', out, '--cells', '8', '--projection', '4', '--layers', '1', '--threads', '1', '--frames', '500', '--quiet']);
    expect(refusalNaming(result, join(out, 'model.msgpack'))).toBe('cannot write (EISDIR)');
  });

  it('train stops on a full disk under its log in one line naming it (/dev/full in place of metrics.jsonl)', async () => {
    const out = join(corpus, 'full');
    mkdirSync(out);
    symlinkSync('/dev/full', join(out, 'metrics.jsonl'));
    const result = await runCli(['train', '--corpus', corpus, '--out', out, '--resume', checkpoint, '--threads', '1', '--frames', '500', '--quiet']);
    expect(refusalNaming(result, join(out, 'metrics.jsonl'))).toBe('cannot append (ENOSPC)');
  });

  const tooLarge = /^invalid config: 3-layer LSTM \(100000 cells\) has [\d,]+ parameters, more than lstmp holds \(268,435,456\)$/;

  it.each([
    ['eval', () => ['eval', '--checkpoint', absurd, '--corpus', corpus]],
    ['decode', () => ['decode', '--checkpoint', absurd, '--corpus', corpus]],
    ['forward', () => ['forward', '--checkpoint', absurd, '--features', features, '--out', join(corpus, 'never.npy')]],
    ['bptt', () => ['bptt', '--checkpoint', absurd, '--features', features, '--targets', targets, '--out', join(corpus, 'never.msgpack')]],
    ['explain', () => ['explain', '--checkpoint', absurd, '--corpus', corpus, '--utterance', 'utt000', '--out', join(corpus, 'never.html')]],
    ['train --resume', () => ['train', '--corpus', corpus, '--out', join(corpus, 'never'), '--resume', absurd]],
    ['ps --init', () => ['ps', '--shard', '0/1', '--state', join(corpus, 'never-state'), '--init', absurd]],
  ])('%s refuses a checkpoint whose config asks for an absurd size, in one line naming it', async (_, args) => {
    expect(refusalNaming(await runCli(args(), undefined, { env: secret }), absurd)).toMatch(tooLarge);
  });

  it('init refuses a network too large to hold, in one line', async () => {
    const result = await runCli(['init', '--inputs', '40', '--cells', '100000', '--layers', '3', '--outputs', '4', '--out', join(corpus, 'never.msgpack')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^lstmp: invalid config: 3-layer LSTM \(100000 cells\) has [\d,]+ parameters, more than lstmp holds \(268,435,456\)\n$/);
  });

  // 500 training threads took 3.2 GB and trained nothing; 100,000 hung. The bound is 4 per core; one more is
  // refused (and, were it not, would run a short while only).
  const most = 4 * availableParallelism();
  const over = String(most + 1);
  const never = (name: string) => join(corpus, 'never', name);
  it.each([
    ['train --threads', () => ['train', '--corpus', corpus, '--out', never('train'), '--frames', '100', '--threads', over]],
    ['worker --threads', () => ['worker', '--ps', '127.0.0.1:1', '--corpus', corpus, '--retry-for', '1', '--threads', over]],
    ['cluster --threads', () => ['cluster', '--corpus', corpus, '--out', never('cluster-threads'), '--frames', '100', '--workers', '1', '--threads', over]],
    ['cluster --workers', () => ['cluster', '--corpus', corpus, '--out', never('cluster-workers'), '--frames', '100', '--threads', '1', '--workers', over]],
    ['cluster --shards', () => ['cluster', '--corpus', corpus, '--out', never('cluster-shards'), '--frames', '100', '--workers', '1', '--shards', over]],
    ['demo --threads', () => ['demo', '--corpus', corpus, '--out', never('demo'), '--train-seconds', '1', '--threads', over]],
    ['synth --threads', () => ['synth', '--out', never('synth'), '--utterances', '1', '--threads', over]],
    ['decode --threads', () => ['decode', '--checkpoint', checkpoint, '--corpus', corpus, '--threads', over]],
    ['bench --threads', () => ['bench', '--config', 'small', '--seconds', '1', '--warmup', '0', '--threads', `1,${over}`]],
  ])('%s refuses more than 4 per core, in one line', async (_, args) => {
    const result = await runCli(args(), undefined, { env: secret });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^error: option '--\\w+ <[^>]+>' argument '[\\d,]+' is invalid\\. expected at most ${most} \\(4 per core on this machine\\): more would only take turns on the cores, each with its own memory; got "${over}"\\n$`));
  });
});

describe('options only lstmp train carries out', () => {
  // cluster, worker and ps have no time budget, augmentation or annealed schedule: taking the
  // options and doing nothing with them would be a silent lie.
  it.each([
    ['cluster --minutes', () => ['cluster', '--corpus', corpus, '--out', join(run, 'never-cluster'), '--minutes', '1'], 'minutes'],
    ['cluster --augment', () => ['cluster', '--corpus', corpus, '--out', join(run, 'never-cluster'), '--augment', 'all'], 'augment'],
    ['worker --anneal', () => ['worker', '--ps', '127.0.0.1:1', '--corpus', corpus, '--anneal', '0.05'], 'anneal'],
    ['ps --anneal', () => ['ps', '--shard', '0/1', '--state', join(run, 'never-ps'), '--anneal', '0.05'], 'anneal'],
  ])('%s is refused as unknown, in one line', async (_, args, option) => {
    const result = await runCli(args(), undefined, { env: secret });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`error: unknown option '--${option}'\n`);
  });
});
