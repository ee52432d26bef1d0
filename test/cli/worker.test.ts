import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { shardOf } from '../../src/model/cluster/shard-state.js';
import type { ModelConfig } from '../../src/model/network/config.js';
import { initParameters } from '../../src/model/network/init.js';
import type { Schedule } from '../../src/model/network/schedule.js';
import { serveShard, type ShardServer } from '../../src/streams/cluster/parameter-server.js';
import { buildCli, runCli, startCli } from '../support/cli.js';
import { selfSigned } from '../support/tls.js';
import { toneCorpus } from '../support/corpus.js';

const config: ModelConfig = { inputs: 40, cells: 8, projection: 4, layers: 1, outputs: 4, cellClip: 50, peepholes: true };
const schedule: Schedule = { learningRate: 0.005, decay: 1, decayFrames: 1, biasRateFactor: 0.1, gradientClip: Infinity, momentum: 0 };
const secret = 'the secret of the worker test';
const env = { ...process.env, LSTMP_SECRET: secret };
let corpus: string;
let shards: ShardServer[] = [];

beforeAll(() => {
  buildCli();
  corpus = toneCorpus({ utterances: 20 });
});
afterEach(async () => {
  await Promise.all(shards.map((shard) => shard.close()));
  shards = [];
});
afterAll(() => rmSync(corpus, { recursive: true, force: true }));

async function shard(): Promise<ShardServer> {
  const server = await serveShard({ state: shardOf(config, initParameters(config, 1, 0.1), 0, 1), schedule, secret, listen: '127.0.0.1:0' });
  shards.push(server);
  return server;
}

describe('lstmp worker', () => {
  it('trains over TLS with a shard named by its IP address, and says nothing on stderr but its progress (no Node deprecation line)', async () => {
    const tls = selfSigned();
    const server = await serveShard({ state: shardOf(config, initParameters(config, 1, 0.1), 0, 1), schedule, secret, listen: '127.0.0.1:0', tls });
    shards.push(server);
    const ca = join(corpus, 'ca.pem');
    writeFileSync(ca, tls.certificate);
    const result = await runCli(['worker', '--ps', server.address, '--tls-ca', ca, '--corpus', corpus, '--threads', '1', '--frames', '500', '--quiet'], undefined, { env });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(server.info().updates).toBeGreaterThan(0);
  });

  it('pushes 1-bit deltas with --compress 1bit, bf16 by default: its --json names the bytes (about 1/28 and 1/2 of float32 a value), which the shard received', async () => {
    const plain = await shard();
    const full = await runCli(['worker', '--ps', plain.address, '--corpus', corpus, '--threads', '1', '--frames', '800', '--compress', 'none', '--json'], undefined, { env });
    expect(full.status).toBe(0);
    const compressed = await shard();
    const result = await runCli(['worker', '--ps', compressed.address, '--corpus', corpus, '--threads', '1', '--frames', '800', '--compress', '1bit', '--json'], undefined, { env });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const line = JSON.parse(result.stdout) as { pushedBytes: number; bytesPerFrame: number };
    const fullLine = JSON.parse(full.stdout) as { pushedBytes: number; bytesPerFrame: number };
    const info = compressed.info();
    expect(info.updates).toBeGreaterThan(0);
    expect(line.pushedBytes).toBe(info.received?.bytes);
    expect(fullLine.pushedBytes).toBe(plain.info().received?.bytes);
    // 4 bytes a value against 1 bit and 8 bytes per 512, push for push (how many frames a push of deltas
    // carries depends on how fast the one before came back).
    const perPush = (bytes: number, pushes = 0) => bytes / pushes;
    expect(perPush(line.pushedBytes, info.received?.pushes) / perPush(fullLine.pushedBytes, plain.info().received?.pushes)).toBeCloseTo((1 / 8 + 8 / 512) / 4, 3);
    // Pushing deltas, bf16 is the default: half of float32's bytes.
    const halves = await shard();
    const byDefault = await runCli(['worker', '--ps', halves.address, '--corpus', corpus, '--threads', '1', '--frames', '800', '--json'], undefined, { env });
    const defaultLine = JSON.parse(byDefault.stdout) as { pushedBytes: number };
    expect(perPush(defaultLine.pushedBytes, halves.info().received?.pushes) / perPush(fullLine.pushedBytes, plain.info().received?.pushes)).toBe(0.5);
  });

  it('refuses a --compress it does not know, in one line, exit 2', async () => {
    const result = await runCli(['worker', '--ps', '127.0.0.1:1', '--corpus', corpus, '--compress', 'topk:2'], undefined, { env });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/--compress.*topk:F takes the fraction of values kept, in \(0, 1\]/);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('ends on %s: its threads finish their chunks, their pushes land, exit 0', async (signal) => {
    const server = await shard();
    const running = startCli(['worker', '--ps', server.address, '--corpus', corpus, '--threads', '1', '--epochs', '1000'], undefined, { env });
    await running.stderrLine(/^worker 0\/1: \d+/);
    running.child.kill(signal);
    const result = await running.ended;
    expect(result.stderr).toContain('stopping: finishing the current chunks');
    expect(result.status).toBe(0);
    const [, frames] = /^worker 0\/1 done: the cluster has trained (\d+) frames/.exec(result.stdout) ?? [];
    expect(Number(frames)).toBe(server.info().framesSeen);
    expect(server.info().updates).toBeGreaterThan(0);
  });
});
