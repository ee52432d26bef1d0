import { Option, type Command } from 'commander';
import type { ModelConfig } from '../model/config.js';
import { parameterCounts } from '../model/layout.js';
import { KERNEL_NAMES, type KernelName } from '../ops/kernel-choice.js';
import { bench } from '../streams/bench.js';
import { integerOption } from './options.js';

/** The benchmark's networks: the paper's best LSTMP and a small one. */
export const BENCH_CONFIGS: Record<'paper' | 'small', ModelConfig> = {
  paper: { inputs: 40, cells: 800, projection: 512, layers: 2, outputs: 14247, cellClip: 50, peepholes: true },
  small: { inputs: 40, cells: 256, projection: 128, layers: 2, outputs: 128, cellClip: 50, peepholes: true },
};

interface BenchCommandOptions {
  config: 'paper' | 'small';
  threads: number;
  seconds: number;
  kernels: KernelName;
  json?: boolean;
}

/** `lstmp bench`: training-step throughput of the paper's (or a small) network. */
export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('time full training steps (forward, truncated BPTT, update) with B = 4 streams × T = 20 frames per thread, threads sharing one parameter buffer')
    .addOption(new Option('--config <name>', 'network: paper (800/512 × 2, 14247 outputs) or small (256/128 × 2, 128 outputs)').choices(['paper', 'small']).default('small'))
    .option('--threads <N>', 'training threads (Hogwild)', integerOption(1), 1)
    .option('--seconds <S>', 'measured seconds after warm-up', integerOption(1), 20)
    .addOption(new Option('--kernels <name>', 'the kernels products run on').choices(KERNEL_NAMES).default('wasm'))
    .option('--json', 'print one JSON line {"config", "threads", "params", "framesPerSec", "msPerStep", "rssMB"}')
    .action(async (options: BenchCommandOptions) => {
      const config = BENCH_CONFIGS[options.config];
      const params = parameterCounts(config).total;
      if (!options.json) process.stderr.write(`bench: ${options.config} (${params.toLocaleString('en-US')} parameters), ${options.kernels} kernels, ${options.threads} thread(s), ${options.seconds} s after warm-up\n`);
      const result = await bench({ config, kernels: options.kernels, threads: options.threads, seconds: options.seconds, warmupSeconds: 3, streams: 4, steps: 20 });
      const line = { config: options.config, threads: options.threads, params, framesPerSec: round(result.framesPerSec), msPerStep: round(result.msPerStep), rssMB: round(result.rssMB) };
      process.stdout.write(options.json ? `${JSON.stringify(line)}\n` : `${line.framesPerSec} frames/s, ${line.msPerStep} ms per step per thread, ${line.rssMB} MB resident\n`);
    });
}

const round = (x: number) => Math.round(x * 10) / 10;
