import { beforeAll, describe, expect, it } from 'vitest';
import { nativeIsas } from '../../src/ops/kernels/native/native-kernels.js';
import { buildCli, runCli } from '../support/cli.js';

const nativeBuilt = nativeIsas().isas !== null;
/** The environment of a clone whose native kernels are not there (the loader's own switch). */
const withoutNative = { ...process.env, LSTMP_NATIVE: '0' };

beforeAll(() => buildCli());

const figures = {
  config: 'small',
  kernels: 'wasm',
  params: 519_808,
  framesPerSec: expect.any(Number),
  msPerStep: expect.any(Number),
  rssMB: expect.any(Number),
  gflops: expect.any(Number),
  cpuShare: expect.any(Number),
};

// Throughput itself belongs to benchmarks; these runs are a second long and check what is printed.
describe('lstmp bench', () => {
  it('prints exactly one JSON line for one thread count', async () => {
    const result = await runCli(['bench', '--config', 'small', '--kernels', 'wasm', '--seconds', '1', '--warmup', '0', '--json']);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]);
    expect(Object.keys(line)).toEqual(['config', 'kernels', 'threads', 'params', 'framesPerSec', 'msPerStep', 'rssMB', 'gflops', 'cpuShare']);
    expect(line).toEqual({ ...figures, threads: 1 });
    expect(line.framesPerSec).toBeGreaterThan(0);
    expect(line.msPerStep).toBeCloseTo((1000 * 80) / line.framesPerSec, 0);
    // the small network's products: 2.99 MFLOP per frame (chunkFlops)
    expect(line.gflops).toBeCloseTo((line.framesPerSec * 2.9927936e6) / 1e9, 0);
    expect(line.cpuShare).toBeGreaterThan(0);
  });

  it('measures a list of thread counts round after round, each with its median and its speed-up over the first', async () => {
    const result = await runCli(['bench', '--kernels', 'wasm', '--threads', '1,2', '--seconds', '1', '--warmup', '0', '--rounds', '2', '--json']);
    expect(result.status).toBe(0);
    const [one, two, ...rest] = result.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(rest).toEqual([]);
    expect(one).toEqual({ ...figures, threads: 1, speedup: 1 });
    expect(two).toEqual({ ...figures, threads: 2, speedup: expect.any(Number) });
    expect(two.speedup).toBeGreaterThan(0);
    expect(two.msPerStep).toBeCloseTo((1000 * 2 * 80) / two.framesPerSec, 0);
  });

  it('shows a table side by side without --json, with what it runs on stderr', async () => {
    const result = await runCli(['bench', '--kernels', 'wasm', '--threads', '1,2', '--seconds', '1', '--warmup', '0', '--rounds', '1']);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('bench: small (519,808 parameters, 3.0 MFLOP per frame), wasm kernels, 1, 2 thread(s), 1 s after 0 s of warm-up\n');
    const [header, ...rows] = result.stdout.trimEnd().split('\n');
    expect(header.trim().split(/\s{2,}/)).toEqual(['threads', 'frames/s', 'ms per step', 'speed-up over 1', 'GFLOP/s', 'MB resident', 'share of cores']);
    expect(rows.map((row) => row.trim().split(/\s+/)[0])).toEqual(['1', '2']);
    expect(rows[0]).toMatch(/\s1\.00\s/);
  });

  it('runs the native kernels by default where they are built, and says in one line why not where they are not', async () => {
    const result = await runCli(['bench', '--seconds', '1', '--warmup', '0', '--json'], undefined, { env: withoutNative });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('lstmp: native kernels unavailable (turned off by LSTMP_NATIVE=0); using wasm\n');
    expect(JSON.parse(result.stdout)).toEqual({ ...figures, threads: 1 });
    if (!nativeBuilt) return;
    const native = await runCli(['bench', '--seconds', '1', '--warmup', '0', '--json']);
    expect(native.stderr).toBe('');
    expect(JSON.parse(native.stdout)).toEqual({ ...figures, kernels: 'native', threads: 1 });
  });

  it('refuses --kernels native where the native kernels are not there, with one line and exit code 2', async () => {
    const result = await runCli(['bench', '--kernels', 'native', '--seconds', '1'], undefined, { env: withoutNative });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('lstmp: --kernels native: the native kernels are unavailable here (turned off by LSTMP_NATIVE=0)\n');
  });

  it.skipIf(!nativeBuilt)('--peak alone: the core’s FMA peak for each instruction set it runs', async () => {
    const result = await runCli(['bench', '--peak', '--json']);
    expect(result.status).toBe(0);
    const peak = JSON.parse(result.stdout);
    expect(Object.keys(peak)).toEqual(['peakGflops', 'isa', 'byIsa']);
    expect(Object.keys(peak.byIsa)).toEqual(nativeIsas().isas);
    expect(peak.peakGflops).toBeCloseTo(Math.max(...Object.values<number>(peak.byIsa)), 0);
  });

  it.skipIf(!nativeBuilt)('--peak with a network: each line’s share of the peak (one core per thread)', async () => {
    const result = await runCli(['bench', '--config', 'small', '--peak', '--threads', '1,2', '--rounds', '1', '--seconds', '1', '--warmup', '0', '--json']);
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((line) => line.threads)).toEqual([1, 2]);
    for (const line of lines) expect(line.shareOfPeak).toBeCloseTo(line.gflops / (line.threads * line.peakGflops), 2);
  });

  it.skipIf(!nativeBuilt)('--peak in words: the peak alone in one line, and a run’s header naming the instruction set, its line its share of the peak', async () => {
    const alone = await runCli(['bench', '--peak']);
    expect(alone.status).toBe(0);
    expect(alone.stdout).toMatch(/^FMA peak: \d+\.\d GFLOP\/s on one core \(independent FMAs, best of 30 runs by CPU time: [a-z0-9]+ \d+\.\d(, [a-z0-9]+ \d+\.\d)*\)\n$/);
    const run = await runCli(['bench', '--config', 'small', '--peak', '--seconds', '1', '--warmup', '0']);
    expect(run.status).toBe(0);
    const [header, peakLine, ...rest] = run.stderr.trimEnd().split('\n');
    expect(rest).toEqual([]);
    expect(header).toBe(`bench: small (519,808 parameters, 3.0 MFLOP per frame), native (${nativeIsas().isas![0]}) kernels, 1 thread(s), 1 s after 0 s of warm-up`);
    expect(peakLine).toMatch(/^FMA peak: /);
    expect(run.stdout).toMatch(/^\d+(\.\d)? frames\/s, \d+(\.\d)? ms per step per thread, \d+(\.\d)? GFLOP\/s \(\d+\.\d % of peak\), \d+(\.\d)? MB resident, \d\.\d\d of the core\(s\)\n$/);
  });

  it('refuses --peak where there is no native FMA loop to measure it with', async () => {
    const result = await runCli(['bench', '--peak'], undefined, { env: withoutNative });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^lstmp: --peak: .*unavailable here \(turned off by LSTMP_NATIVE=0\)\n$/);
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
