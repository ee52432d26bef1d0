import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeShardState } from '../../src/model/cluster/shard-state.js';
import { allFinite } from '../../src/ops/kernels/portable/update.js';
import { connectShards, type ParameterServerClient } from '../../src/streams/cluster/parameter-client.js';
import { buildCli, runCli, startCli, type RunningCli } from '../support/cli.js';
import { toneCorpus } from '../support/corpus.js';

/**
 * Faults under load, with `lstmp ps` and `lstmp worker` as a user runs them:
 * a worker killed while it pushes, a shard killed again and again while it
 * saves (every 0.1 s, half a million values). Training must go on, no
 * parameter may turn NaN, and every kill must leave a state file that reads
 * back whole, from which the shard resumes.
 */

const secret = 'faults under load, a long secret';
const env = { ...process.env, LSTMP_SECRET: secret };
let root: string;
let corpus: string;
const running: RunningCli[] = [];

beforeAll(() => {
  buildCli();
  root = mkdtempSync(join(tmpdir(), 'lstmp-faults-'));
  corpus = toneCorpus({ utterances: 60 });
});
afterAll(() => {
  for (const process of running) process.child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
  rmSync(corpus, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function start(args: readonly string[]): RunningCli {
  const process = startCli(args, undefined, { env });
  running.push(process);
  return process;
}

/** Starts shard i of 2 at `listen`, resolving with its address once it listens. */
async function shard(i: number, listen = '127.0.0.1:0'): Promise<{ process: RunningCli; address: string }> {
  const process = start(['ps', '--shard', `${i}/2`, '--listen', listen, '--state', join(root, 'state'), '--init', join(root, 'init.msgpack'), '--save-every', '0.1', '--lr', '0.001']);
  const line = await process.stderrLine(/listening on /);
  return { process, address: /listening on (\S+?),/.exec(line)![1] };
}

/** Waits until the shards have applied `more` updates beyond `from`, polling; returns where they are. */
async function updatesPast(client: ParameterServerClient, from: number, more: number, within = 90_000): Promise<number> {
  const until = Date.now() + within;
  for (;;) {
    const updates = Math.min(...(await client.infos()).map((info) => info.updates));
    if (updates >= from + more) return updates;
    if (Date.now() > until) throw new Error(`the shards stayed at ${updates} updates, short of ${from + more}`);
    await sleep(100);
  }
}

describe('faults under load', () => {
  it('a worker killed mid-push and a shard killed mid-save: training goes on, nothing turns NaN, the state reads back whole', async () => {
    const init = await runCli(['init', '--inputs', '40', '--cells', '256', '--projection', '128', '--layers', '2', '--outputs', '4', '--seed', '1', '--out', join(root, 'init.msgpack')]);
    expect(init.status).toBe(0);
    const shards = [await shard(0), await shard(1)];
    const ps = shards.map((s) => s.address).join(',');
    const workers = [0, 1].map((w) => start(['worker', '--ps', ps, '--corpus', corpus, '--worker', `${w}/2`, '--threads', '1', '--epochs', '100000', '--retry-for', '120', '--quiet']));
    const client = await connectShards(shards.map((s) => s.address), { secret, deadlineMs: 10_000, retryForMs: 60_000 });

    // Worker 0 dies while pushes fly (a push is in flight nearly all the time); worker 1 trains on.
    let updates = await updatesPast(client, 0, 20);
    workers[0].child.kill('SIGKILL');
    expect((await workers[0].ended).status).toBe(null);
    updates = await updatesPast(client, updates, 20);

    // Shard 0 dies five times at whatever point of its saving it is; each time its state file reads back
    // whole and the shard resumes from it where it was told to listen, worker 1 finding it again.
    const file = join(root, 'state', 'shard-0-of-2.msgpack');
    for (let kill = 0; kill < 5; kill++) {
      await sleep(150 + 37 * kill);
      shards[0].process.child.kill('SIGKILL');
      await shards[0].process.ended;
      const state = decodeShardState(readFileSync(file));
      if (E.isLeft(state)) throw new Error(`kill ${kill}: ${state.left}`);
      expect(allFinite(state.right.values)).toBe(true);
      shards[0] = await shard(0, shards[0].address);
      updates = await updatesPast(client, updates, 5);
    }
    expect(workers[1].child.exitCode).toBe(null);

    const values = new Float32Array(client.shards.reduce((sum, info) => sum + info.length, 0));
    await client.pull(values);
    expect(allFinite(values)).toBe(true);
    client.close();
    workers[1].child.kill('SIGTERM');
    expect((await workers[1].ended).status).toBe(0);
    for (const s of shards) s.process.child.kill('SIGTERM');
    for (const s of shards) expect((await s.process.ended).status).toBe(0);
    expect(existsSync(file)).toBe(true);
    // A save in progress has its temporary file; once the shards have stopped, none is left (a killed save's is removed on restart).
    expect(readdirSync(join(root, 'state')).filter((name) => !name.startsWith('shard-'))).toEqual([]);
  }, 300_000);
});
