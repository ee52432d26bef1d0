import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/streams/io/checkpoint-file.js';
import { buildCli, repoRoot } from '../support/cli.js';
import { toneCorpus } from '../support/corpus.js';

let corpus: string;
let out: string;
beforeAll(() => {
  buildCli();
  corpus = toneCorpus({ utterances: 40 });
  out = mkdtempSync(join(tmpdir(), 'lstmp-netns-'));
});
afterAll(() => {
  rmSync(corpus, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});

/** Whether this machine lets us make network namespaces (root with ip netns); CI containers often do not. */
function netnsPermitted(): boolean {
  const probe = `lstmp-test-${process.pid}`;
  if (spawnSync('ip', ['netns', 'add', probe]).status !== 0) return false;
  spawnSync('ip', ['netns', 'del', probe]);
  return true;
}

// Where network namespaces are not permitted (CI containers often forbid them), the training test is
// skipped, visibly, and what the script says there is tested instead.
const permitted = netnsPermitted();

describe('scripts/netns-cluster.sh', () => {
  it.skipIf(permitted)('says in one line, exit 2, that it cannot make network namespaces here', () => {
    const run = spawnSync(join(repoRoot, 'scripts', 'netns-cluster.sh'), [corpus, out, '20000'], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('netns-cluster: cannot create network namespaces here (needs root and ip netns)\n');
  });

  const trains = 'trains with every shard and worker on its own network namespace';
  it.skipIf(!permitted)(permitted ? trains : `${trains} (skipped: network namespaces are not permitted here)`, () => {
    const run = spawnSync(join(repoRoot, 'scripts', 'netns-cluster.sh'), [corpus, out, '20000'], { encoding: 'utf8', timeout: 300_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/shards listening on 10\.77\.0\.1:7070 10\.77\.0\.2:7070/);
    expect(run.stderr).toMatch(/trained across 2 shard hosts and 2 worker hosts: \{"frames":\d+/);
    const result = JSON.parse(readFileSync(join(out, 'worker0.json'), 'utf8')) as { frames: number; devFrameAccuracy: number };
    expect(result.frames).toBeGreaterThanOrEqual(20_000);
    expect(result.devFrameAccuracy).toBeGreaterThan(0.3);
    expect(loadCheckpoint(join(out, 'model.msgpack')).training!.framesSeen).toBeGreaterThanOrEqual(20_000);
    // The workers reached the shards over the namespaces' network, each shard on its own address.
    expect(readFileSync(join(out, 'ps0.log'), 'utf8')).toMatch(/listening on 10\.77\.0\.1:7070/);
    // Nothing is left behind.
    expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toMatch(/^l\d+-/m);
  }, 320_000);
});
