import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, runCli } from '../support/cli.js';

beforeAll(() => buildCli());

const figures = {
  config: 'small',
  params: 519_808,
  framesPerSec: expect.any(Number),
  msPerStep: expect.any(Number),
  rssMB: expect.any(Number),
};

// Throughput itself belongs to benchmarks; these runs are a second long and check what is printed.
describe('lstmp bench', () => {
  it('prints exactly one JSON line for one thread count', async () => {
    const result = await runCli(['bench', '--config', 'small', '--seconds', '1', '--warmup', '0', '--json']);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]);
    expect(Object.keys(line)).toEqual(['config', 'threads', 'params', 'framesPerSec', 'msPerStep', 'rssMB']);
    expect(line).toEqual({ ...figures, threads: 1 });
    expect(line.framesPerSec).toBeGreaterThan(0);
    expect(line.msPerStep).toBeCloseTo((1000 * 80) / line.framesPerSec, 0);
  });

  it('measures a list of thread counts round after round, each with its median and its speed-up over the first', async () => {
    const result = await runCli(['bench', '--threads', '1,2', '--seconds', '1', '--warmup', '0', '--rounds', '2', '--json']);
    expect(result.status).toBe(0);
    const [one, two, ...rest] = result.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(rest).toEqual([]);
    expect(one).toEqual({ ...figures, threads: 1, speedup: 1 });
    expect(two).toEqual({ ...figures, threads: 2, speedup: expect.any(Number) });
    expect(two.speedup).toBeGreaterThan(0);
    expect(two.msPerStep).toBeCloseTo((1000 * 2 * 80) / two.framesPerSec, 0);
  });

  it('shows a table side by side without --json, with what it runs on stderr', async () => {
    const result = await runCli(['bench', '--threads', '1,2', '--seconds', '1', '--warmup', '0', '--rounds', '1']);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('bench: small (519,808 parameters), wasm kernels, 1, 2 thread(s), 1 s after 0 s of warm-up\n');
    const [header, ...rows] = result.stdout.trimEnd().split('\n');
    expect(header.trim().split(/\s{2,}/)).toEqual(['threads', 'frames/s', 'ms per step', 'speed-up over 1', 'MB resident']);
    expect(rows.map((row) => row.trim().split(/\s+/)[0])).toEqual(['1', '2']);
    expect(rows[0]).toMatch(/\s1\.00\s/);
  });

  it.each([
    [['--threads', '0'], /expected a whole number ≥ 1, got "0"/],
    [['--threads', '1,1'], /expected distinct thread counts, got "1,1"/],
    [['--threads', '1,x'], /expected a whole number ≥ 1, got "x"/],
    [['--seconds', '0'], /expected a whole number ≥ 1, got "0"/],
    [['--config', 'huge'], /argument 'huge' is invalid/],
  ])('refuses %j with one line and exit code 2', async (args, message) => {
    const result = await runCli(['bench', ...args]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
