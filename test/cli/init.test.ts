import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeCheckpoint } from '../../src/model/formats/checkpoint.js';
import { initParameters } from '../../src/model/network/init.js';
import { loadCheckpoint } from '../../src/streams/io/checkpoint-file.js';
import { buildCli, refusalNaming, runCli } from '../support/cli.js';

const shape = ['--inputs', '3', '--cells', '4', '--projection', '2', '--layers', '2', '--outputs', '5'];
const config = { inputs: 3, cells: 4, projection: 2, layers: 2, outputs: 5, cellClip: 50, peepholes: true };
let dir: string;

beforeAll(() => {
  buildCli();
  dir = mkdtempSync(join(tmpdir(), 'lstmp-init-'));
});

describe('lstmp init', () => {
  it('writes the checkpoint of initParameters(config, seed, range), the same bytes for the same seed', async () => {
    const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((name) => join(dir, `${name}.msgpack`));
    const runs = await Promise.all([[a, '7'], [b, '7'], [c, '8']].map(([out, seed]) => runCli(['init', ...shape, '--seed', seed, '--init-range', '0.3', '--out', out])));
    for (const run of [...runs, await runCli(['init', ...shape, '--out', d]), await runCli(['init', ...shape, '--preset', 'paper', '--out', e])]) {
      expect(run).toEqual({ status: 0, stdout: '', stderr: '' });
    }
    expect(readFileSync(a)).toEqual(readFileSync(b));
    expect(readFileSync(a)).not.toEqual(readFileSync(c));
    expect(loadCheckpoint(a)).toEqual({ config, parameters: initParameters(config, 7, 0.3) });
    // The default preset's range, and the paper's one flag away.
    expect(new Uint8Array(readFileSync(d))).toEqual(new Uint8Array(encodeCheckpoint({ config, parameters: initParameters(config, 1, 0.1) })));
    expect(new Uint8Array(readFileSync(e))).toEqual(new Uint8Array(encodeCheckpoint({ config, parameters: initParameters(config, 1, 0.02) })));
  });

  it('takes the cell clip and peephole options', async () => {
    const out = join(dir, 'lstm.msgpack');
    expect((await runCli(['init', '--inputs', '2', '--cells', '3', '--layers', '1', '--outputs', '4', '--cell-clip', '3', '--no-peepholes', '--out', out])).status).toBe(0);
    expect(loadCheckpoint(out).config).toEqual({ inputs: 2, cells: 3, projection: 0, layers: 1, outputs: 4, cellClip: 3, peepholes: false });
  });

  it('refuses bad options and unwritable files in one line, exit 2', async () => {
    const bad = await runCli(['init', ...shape, '--seed', '-1', '--out', join(dir, 'x.msgpack')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('--seed');
    const out = join(dir, 'missing-dir', 'ck.msgpack');
    expect(refusalNaming(await runCli(['init', ...shape, '--out', out]), out)).toBe('cannot write (ENOENT)');
  });
});
