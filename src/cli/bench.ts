import { InvalidArgumentError, Option, type Command } from 'commander';
import type { ModelConfig } from '../model/network/config.js';
import { parameterCounts } from '../model/network/layout.js';
import { KERNEL_CHOICES, type KernelChoice, type KernelName } from '../ops/kernels/choice.js';
import { nativeIsas } from '../ops/kernels/native/native-kernels.js';
import { chunkFlops } from '../ops/nn/chunk-flops.js';
import { bench, type BenchResult } from '../streams/training/bench.js';
import { measureFmaPeak, type FmaPeak } from '../streams/training/fma-peak.js';
import { kernelsFor } from './kernel-choice.js';
import { fail } from '../errors.js';
import { integerOption, threadsOption } from './options.js';
import { median } from '../ops/median.js';

/** The benchmark's networks: the paper's best LSTMP and a small one. */
export const BENCH_CONFIGS: Record<'paper' | 'small', ModelConfig> = {
  paper: { inputs: 40, cells: 800, projection: 512, layers: 2, outputs: 14247, cellClip: 50, peepholes: true },
  small: { inputs: 40, cells: 256, projection: 128, layers: 2, outputs: 128, cellClip: 50, peepholes: true },
};

interface BenchCommandOptions {
  config?: 'paper' | 'small';
  threads: number[];
  seconds: number;
  warmup: number;
  rounds?: number;
  kernels: KernelChoice;
  peak?: boolean;
  json?: boolean;
}

/** One thread count's figures: the median over rounds, and its speed-up over the first count measured in the same rounds. */
interface BenchLine {
  readonly threads: number;
  readonly framesPerSec: number;
  readonly msPerStep: number;
  readonly rssMB: number;
  readonly speedup: number;
  /** the products' GFLOP/s over the whole step (chunkFlops ÷ step time), all threads */
  readonly gflops: number;
  /** the median share of their cores the threads had (BenchResult.cpuShare) */
  readonly cpuShare: number;
}

/** `lstmp bench`: training-step throughput of the paper's (or a small) network. */
export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('time full training steps (forward, truncated BPTT, update) with B = 4 streams × T = 20 frames per thread, threads sharing one parameter buffer')
    .addOption(new Option('--config <name>', 'network: paper (800/512 × 2, 14247 outputs) or small (256/128 × 2, 128 outputs); default small, or none with --peak alone').choices(['paper', 'small']))
    .option('--threads <N[,N...]>', 'training threads (Hogwild); a list such as 1,2 measures each count in turn, round after round, and compares them', threadCounts, [1])
    .option('--seconds <S>', 'measured seconds after warm-up, per thread count and round', integerOption(1), 20)
    .option('--warmup <S>', 'seconds of warm-up (JIT, first touches of memory) before each measurement', integerOption(0), 3)
    .option('--rounds <R>', 'rounds over the thread counts; each count reports its median (default 1, or 3 for a list)', integerOption(1))
    .addOption(new Option('--kernels <name>', 'the kernels products run on: native, wasm, portable, or auto (native where it runs, else wasm)').choices(KERNEL_CHOICES).default('auto'))
    .option('--peak', "measure the core's FMA peak (a loop of independent FMAs, GFLOP/s) and give each figure's share of it; alone, only the peak")
    .option('--json', 'print one JSON line per thread count {"config", "kernels", "threads", "params", "framesPerSec", "msPerStep", "rssMB", "gflops", "cpuShare"} (with a list, also "speedup"; with --peak, "peakGflops" and "shareOfPeak"); --peak alone: {"peakGflops", "isa", "byIsa"}')
    .action(async (options: BenchCommandOptions) => {
      const peak = options.peak ? measuredPeak() : null;
      if (peak && !options.config) {
        process.stdout.write(options.json ? `${JSON.stringify({ peakGflops: round1(peak.gflops), isa: peak.isa, byIsa: peak.byIsa })}\n` : `${describePeak(peak)}\n`);
        return;
      }
      const configName = options.config ?? 'small';
      const config = BENCH_CONFIGS[configName];
      const params = parameterCounts(config).total;
      const kernels = kernelsFor(options.kernels);
      const counts = options.threads;
      const rounds = options.rounds ?? (counts.length > 1 ? 3 : 1);
      // A step's products, per frame: GFLOP/s is this times frames/s.
      const flopsPerFrame = chunkFlops(config, 20, 4) / 80;
      if (!options.json) {
        process.stderr.write(`bench: ${configName} (${params.toLocaleString('en-US')} parameters, ${(flopsPerFrame / 1e6).toFixed(1)} MFLOP per frame), ${describeKernels(kernels)} kernels, ${counts.join(', ')} thread(s), ${options.seconds} s after ${options.warmup} s of warm-up${rounds > 1 ? `, ${rounds} rounds` : ''}\n`);
        if (peak) process.stderr.write(`${describePeak(peak)}\n`);
      }
      // Round after round over the counts, so that a machine whose speed drifts (other jobs, a busy
      // neighbour on a shared host) slows every count alike and each round's ratios stay fair.
      const results: BenchResult[][] = counts.map(() => []);
      for (let round = 0; round < rounds; round++) {
        for (const [i, threads] of counts.entries()) {
          results[i].push(await bench({ config, kernels, threads, seconds: options.seconds, warmupSeconds: options.warmup, streams: 4, steps: 20 }));
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
          gflops: round1((framesPerSec * flopsPerFrame) / 1e9),
          cpuShare: Math.round(100 * median(results[i].map((r) => r.cpuShare))) / 100,
        };
      });
      // The share of the limit: one core's peak per thread.
      const share = (line: Pick<BenchLine, 'gflops' | 'threads'>) => (peak ? Math.round((1000 * line.gflops) / (line.threads * peak.gflops)) / 1000 : 0);
      if (options.json) {
        for (const { speedup, ...line } of lines) {
          const { threads, ...figures } = line;
          const ofPeak = peak ? { peakGflops: round1(peak.gflops), shareOfPeak: share(line) } : {};
          process.stdout.write(`${JSON.stringify({ config: configName, kernels, threads, params, ...figures, ...(counts.length > 1 ? { speedup } : {}), ...ofPeak })}\n`);
        }
        return;
      }
      const percent = (line: BenchLine) => `${(100 * share(line)).toFixed(1)} %`;
      if (counts.length === 1) {
        const [line] = lines;
        process.stdout.write(`${line.framesPerSec} frames/s, ${line.msPerStep} ms per step per thread, ${line.gflops} GFLOP/s${peak ? ` (${percent(line)} of peak)` : ''}, ${line.rssMB} MB resident, ${line.cpuShare.toFixed(2)} of the core(s)\n`);
        return;
      }
      process.stdout.write(table(['threads', 'frames/s', 'ms per step', `speed-up over ${counts[0]}`, 'GFLOP/s', ...(peak ? ['of peak'] : []), 'MB resident', 'share of cores'], lines.map((l) => [
        String(l.threads), Math.round(l.framesPerSec).toLocaleString('en-US'), l.msPerStep.toFixed(1), l.speedup.toFixed(2), l.gflops.toFixed(1), ...(peak ? [percent(l)] : []), Math.round(l.rssMB).toString(), l.cpuShare.toFixed(2),
      ])));
    });
}

/** The FMA peak, or a one-line error where there is no native loop to measure it with. */
function measuredPeak(): FmaPeak {
  const peak = measureFmaPeak();
  if ('reason' in peak) fail(`--peak: the peak is measured with the native kernels' FMA loop, and they are unavailable here (${peak.reason})`);
  return peak;
}

function describePeak(peak: FmaPeak): string {
  const each = Object.entries(peak.byIsa).map(([isa, gflops]) => `${isa} ${gflops.toFixed(1)}`).join(', ');
  return `FMA peak: ${peak.gflops.toFixed(1)} GFLOP/s on one core (independent FMAs, best of 30 runs by CPU time: ${each})`;
}

/** The set the threads will run: native with the instruction set it picks here. */
function describeKernels(name: KernelName): string {
  const native = name === 'native' ? nativeIsas() : null;
  return native?.isas ? `native (${native.isas[0]})` : name;
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
