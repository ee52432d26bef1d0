import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeShardState } from '../../src/model/cluster/shard-state.js';
import { encodeCheckpoint } from '../../src/model/formats/checkpoint.js';
import type { ModelConfig } from '../../src/model/network/config.js';
import { initParameters } from '../../src/model/network/init.js';
import { layoutOf } from '../../src/model/network/layout.js';
import { connectShards } from '../../src/streams/cluster/parameter-client.js';
import { buildCli, main, runCli } from '../support/cli.js';

const config: ModelConfig = { inputs: 4, cells: 3, projection: 2, layers: 1, outputs: 3, cellClip: 50, peepholes: true };
const secret = 'the secret of the ps test';
let dir: string;
let init: string;
const shards = new Set<ChildProcess>();

beforeAll(() => {
  buildCli();
  dir = mkdtempSync(join(tmpdir(), 'lstmp-ps-'));
  init = join(dir, 'init.msgpack');
  writeFileSync(init, encodeCheckpoint({ config, parameters: initParameters(config, 1, 0.1) }));
});
afterEach(() => {
  for (const shard of shards) shard.kill('SIGKILL');
  shards.clear();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Line {
  type: string;
  [field: string]: unknown;
}

/** `lstmp ps --jsonl`, with its event lines as they come: `next(type)` resolves with the next line of that type. */
function startShard(args: readonly string[]) {
  const child = spawn(process.execPath, [main, 'ps', '--shard', '0/1', '--listen', '127.0.0.1:0', ...args, '--jsonl'], { env: { ...process.env, LSTMP_SECRET: secret } });
  shards.add(child);
  const lines: Line[] = [];
  const waiting: { type: string; resolve: (line: Line) => void; reject: (error: Error) => void }[] = [];
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  createInterface({ input: child.stdout! }).on('line', (text) => {
    const line = JSON.parse(text) as Line;
    lines.push(line);
    for (const waiter of waiting.filter((w) => w.type === line.type)) {
      waiting.splice(waiting.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      for (const waiter of waiting.splice(0)) waiter.reject(new Error(`the shard exited (${code}) before a "${waiter.type}" line: ${stderr}`));
      resolve(code);
    }),
  );
  return {
    child,
    lines,
    exited,
    stderr: () => stderr,
    next: (type: string) => new Promise<Line>((resolve, reject) => waiting.push({ type, resolve, reject })),
  };
}

describe('lstmp ps', () => {
  it('survives a failing periodic save under load: says so, keeps serving, retries, and saves every update once it can', async () => {
    const state = join(dir, 'state');
    const shard = startShard(['--state', state, '--init', init, '--save-every', '0.2']);
    const { address } = await shard.next('listening');
    const server = await connectShards([address as string], { secret, deadlineMs: 5_000, retryForMs: 5_000 });
    const gradient = new Float32Array(layoutOf(config).size).fill(0.01);
    let pushes = 0;
    const pushSome = async (n: number) => {
      for (let i = 0; i < n; i++, pushes++) await server.push(gradient, 10, null);
    };
    await pushSome(20);
    await shard.next('saved');

    // The state directory is replaced by a file: every save fails until it is gone.
    rmSync(state, { recursive: true });
    writeFileSync(state, 'in the way');
    const failed = shard.next('save-failed');
    await pushSome(20);
    const failure = await failed;
    expect(failure.message).toMatch(new RegExp(`^${state}: cannot create the directory \\(EEXIST\\)$`));
    expect(failure.unsaved).toBeGreaterThan(0);
    // The shard still serves while its saves fail.
    await pushSome(20);
    expect((await server.infos())[0].updates).toBe(pushes);

    // The way cleared, the next save writes every update so far.
    rmSync(state);
    let saved = await shard.next('saved');
    while ((saved.updates as number) < pushes) saved = await shard.next('saved');
    expect(saved.updates).toBe(pushes);
    server.close();
    shard.child.kill('SIGTERM');
    expect(await shard.exited).toBe(0);
    expect(shard.stderr()).toBe('');
    const kept = decodeShardState(readFileSync(join(state, 'shard-0-of-1.msgpack')));
    expect(E.isRight(kept) && kept.right.updates).toBe(pushes);
  });

  it('saves and stops on a SIGTERM sent the moment it says it listens (it used to die of it, unsaved, in 8 tries of 10)', async () => {
    for (let i = 0; i < 4; i++) {
      const shard = startShard(['--state', join(dir, `state-quick-${i}`), '--init', init]);
      await shard.next('listening');
      shard.child.kill('SIGTERM');
      expect(await shard.exited).toBe(0);
      expect(shard.lines.at(-1)!.type).toBe('stopped');
    }
  });

  it('warns when it listens in plaintext beyond loopback, and when others can read its secret file', async () => {
    const secretFile = join(dir, 'secret');
    writeFileSync(secretFile, `${secret}\n`, { mode: 0o644 });
    chmodSync(secretFile, 0o644);
    const shard = startShard(['--state', join(dir, 'state-open'), '--init', init, '--listen', '0.0.0.0:0', '--secret-file', secretFile]);
    const { address } = await shard.next('listening');
    expect(address).toMatch(/^0\.0\.0\.0:\d+$/);
    shard.child.kill('SIGTERM');
    expect(await shard.exited).toBe(0);
    expect(shard.stderr()).toBe(
      `lstmp: warning: ${secretFile}: other users can read the shared secret (chmod 600 ${secretFile})\n` +
        `lstmp: warning: listening in plaintext on ${address}: the secret and the parameters cross the network unencrypted (give --tls-cert and --tls-key)\n`,
    );
    // Owner-only, on loopback: nothing to warn of.
    chmodSync(secretFile, 0o600);
    const quiet = startShard(['--state', join(dir, 'state-closed'), '--init', init, '--secret-file', secretFile]);
    await quiet.next('listening');
    quiet.child.kill('SIGTERM');
    expect(await quiet.exited).toBe(0);
    expect(quiet.stderr()).toBe('');
  });

  it('refuses an address in use in one line, and nothing else on stderr', async () => {
    const first = startShard(['--state', join(dir, 'state-first'), '--init', init]);
    const { address } = await first.next('listening');
    const second = await runCli(['ps', '--shard', '0/1', '--listen', address as string, '--state', join(dir, 'state-second'), '--init', init], undefined, { env: { ...process.env, LSTMP_SECRET: secret } });
    expect(second).toEqual({ status: 2, stdout: '', stderr: `lstmp: cannot listen on ${address}: address already in use (EADDRINUSE)\n` });
  });

  it('says what is lost when its last save on SIGTERM fails, in one line, exit 2', async () => {
    const state = join(dir, 'state-at-stop');
    const shard = startShard(['--state', state, '--init', init, '--save-every', '3600']);
    const { address } = await shard.next('listening');
    const server = await connectShards([address as string], { secret, deadlineMs: 5_000, retryForMs: 5_000 });
    for (let i = 0; i < 7; i++) await server.push(new Float32Array(layoutOf(config).size).fill(0.01), 10, null);
    server.close();
    rmSync(state, { recursive: true });
    writeFileSync(state, 'in the way');
    shard.child.kill('SIGTERM');
    expect(await shard.exited).toBe(2);
    expect(shard.stderr()).toBe(`lstmp: shard 0/1 cannot save its state (${state}: cannot create the directory (EEXIST)): the 7 updates since its last save are lost\n`);
  });
});
