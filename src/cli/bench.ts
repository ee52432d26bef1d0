import { InvalidArgumentError, Option, type Command } from 'commander';
import type { ModelConfig } from '../model/network/config.js';
import { parameterCounts } from '../model/network/layout.js';
import { KERNEL_NAMES, type KernelName } from '../ops/kernels/choice.js';
import { bench, type BenchResult } from '../streams/training/bench.js';
import { integerOption, threadsOption } from './options.js';
import { median } from '../ops/median.js';

/** The benchmark's networks: the paper's best LSTMP and a small one. */
export const BENCH_CONFIGS: Record<'paper' | 'small', ModelConfig> = {
  paper: { inputs: 40, cells: 800, projection: 512, layers: 2, outputs: 14247, cellClip: 50, peepholes: true },
  small: { inputs: 40, cells: 256, projection: 128, layers: 2, outputs: 128, cellClip: 50, peepholes: true },
};

interface BenchCommandOptions {
  config: 'paper' | 'small';
  threads: number[];
  seconds: number;
  warmup: number;
  rounds?: number;
  kernels: KernelName;
  json?: boolean;
}

/** One thread count's figures: the median over rounds, and its speed-up over the first count measured in the same rounds. */
interface BenchLine {
  readonly threads: number;
  readonly framesPerSec: number;
  readonly msPerStep: number;
  readonly rssMB: number;
  readonly speedup: number;
}

/** `lstmp bench`: training-step throughput of the paper's (or a small) network. */
export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('time full training steps (forward, truncated BPTT, update) with B = 4 streams × T = 20 frames per thread, threads sharing one parameter buffer')
    .addOption(new Option('--config <name>', 'network: paper (800/512 × 2, 14247 outputs) or small (256/128 × 2, 128 outputs)').choices(['paper', 'small']).default('small'))
    .option('--threads <N[,N...]>', 'training threads (Hogwild); a list such as 1,2 measures each count in turn, round after round, and compares them', threadCounts, [1])
    .option('--seconds <S>', 'measured seconds after warm-up, per thread count and round', integerOption(1), 20)
    .option('--warmup <S>', 'seconds of warm-up (JIT, first touches of memory) before each measurement', integerOption(0), 3)
    .option('--rounds <R>', 'rounds over the thread counts; each count reports its median (default 1, or 3 for a list)', integerOption(1))
    .addOption(new Option('--kernels <name>', 'the kernels products run on').choices(KERNEL_NAMES).default('wasm'))
    .option('--json', 'print one JSON line per thread count {"config", "threads", "params", "framesPerSec", "msPerStep", "rssMB"} (with a list, also "speedup")')
    .action(async (options: BenchCommandOptions) => {
      const config = BENCH_CONFIGS[options.config];
      const params = parameterCounts(config).total;
      const counts = options.threads;
      const rounds = options.rounds ?? (counts.length > 1 ? 3 : 1);
      if (!options.json) {
        process.stderr.write(`bench: ${options.config} (${params.toLocaleString('en-US')} parameters), ${options.kernels} kernels, ${counts.join(', ')} thread(s), ${options.seconds} s after ${options.warmup} s of warm-up${rounds > 1 ? `, ${rounds} rounds` : ''}\n`);
      }
      // Round after round over the counts, so that a machine whose speed drifts (other jobs, a busy
      // neighbour on a shared host) slows every count alike and each round's ratios stay fair.
      const results: BenchResult[][] = counts.map(() => []);
      for (let round = 0; round < rounds; round++) {
        for (const [i, threads] of counts.entries()) {
          results[i].push(await bench({ config, kernels: options.kernels, threads, seconds: options.seconds, warmupSeconds: options.warmup, streams: 4, steps: 20 }));
        }
      }
      const lines = counts.map((threads, i): BenchLine => {
        const [first] = results[i];
        const framesPerSec = median(results[i].map((r) => r.framesPerSec));
        return {
          threads,
          framesPerSec: round1(framesPerSec),
          msPerStep: round1((first.msPerStep * first.framesPerSec) / framesPerSec), // the step time at the median throughput
          rssMB: round1(Math.min(...results[i].map((r) => r.rssMB))), // later rounds also hold what earlier ones left for the collector
          speedup: Math.round(100 * median(results[i].map((r, k) => r.framesPerSec / results[0][k].framesPerSec))) / 100,
        };
      });
      if (options.json) {
        for (const { speedup, ...line } of lines) {
          const { threads, ...figures } = line;
          process.stdout.write(`${JSON.stringify({ config: options.config, threads, params, ...figures, ...(counts.length > 1 ? { speedup } : {}) })}\n`);
        }
        return;
      }
      if (counts.length === 1) {
        const [line] = lines;
        process.stdout.write(`${line.framesPerSec} frames/s, ${line.msPerStep} ms per step per thread, ${line.rssMB} MB resident\n`);
        return;
      }
      process.stdout.write(table(['threads', 'frames/s', 'ms per step', `speed-up over ${counts[0]}`, 'MB resident'], lines.map((l) => [
        String(l.threads), Math.round(l.framesPerSec).toLocaleString('en-US'), l.msPerStep.toFixed(1), l.speedup.toFixed(2), Math.round(l.rssMB).toString(),
      ])));
    });
}

/** Parses `--threads`: one count or a comma-separated list of distinct counts ≥ 1. */
function threadCounts(value: string): number[] {
  const counts = value.split(',').map((count) => threadsOption(count));
  if (new Set(counts).size !== counts.length) throw new InvalidArgumentError(`expected distinct thread counts, got "${value}"`);
  return counts;
}

/** Right-aligned columns under a header. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  return [header, ...rows].map((r) => r.map((cell, j) => cell.padStart(widths[j])).join('  ')).join('\n') + '\n';
}

const round1 = (x: number) => Math.round(x * 10) / 10;
