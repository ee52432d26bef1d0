/**
 * lstmp's kernel sets against PyTorch on the same host in the same run:
 * `lstmp bench --threads 1` on each set and bench/pytorch-step.py (the
 * anchor: torch.nn.LSTM(proj_size) + nn.Linear, B = 4 × T = 20, one thread),
 * interleaved round after round in a rotating order, so that a host whose
 * speed drifts slows every side alike. Prints each side's median frames/s
 * and spread, the median of the per-round ratios to PyTorch, and the host's
 * CPU flags; with --peak, the FMA peak and each set's share of it.
 *
 *   npm run build
 *   npx tsx bench/versus-pytorch.ts --config paper --rounds 5 --seconds 20 --python /usr/bin/python3 --peak
 *
 * Also per side the share of its core it had (cpuShare: CPU time over wall
 * time) and frames per CPU-second, the figure a busy host disturbs least.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from '../src/ops/median.js';

const { values } = parseArgs({
  options: {
    config: { type: 'string', default: 'paper' },
    kernels: { type: 'string', default: 'native,wasm' },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    python: { type: 'string', default: 'python3' },
    peak: { type: 'boolean', default: false },
  },
});
const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const anchor = fileURLToPath(new URL('./pytorch-step.py', import.meta.url));
const timing = ['--seconds', values.seconds, '--warmup', values.warmup];
const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OMP_NUM_THREADS: '1' };

interface Line {
  readonly framesPerSec: number;
  readonly cpuShare: number;
  readonly gflops?: number;
  readonly kernels: string;
}

function run(command: string, args: readonly string[]): Line {
  const result = spawnSync(command, args, { encoding: 'utf8', env });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Line;
}

const sides = [
  ...values.kernels.split(',').map((kernels) => ({ name: kernels, measure: () => run(process.execPath, [cli, 'bench', '--config', values.config, '--kernels', kernels, '--threads', '1', ...timing, '--json']) })),
  { name: 'pytorch', measure: () => run(values.python, [anchor, '--config', values.config, ...timing, '--json']) },
];
const flags = /^flags\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
const model = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
console.log(`host: ${model}; SIMD flags: ${flags.split(' ').filter((f) => /^(avx|fma|sse4)/.test(f)).join(' ')}`);
const peak = values.peak ? (run(process.execPath, [cli, 'bench', '--peak', '--json']) as unknown as { peakGflops: number }).peakGflops : null;
if (peak) console.log(`FMA peak: ${peak} GFLOP/s on one core`);

const results = new Map<string, Line[]>(sides.map((side) => [side.name, []]));
const rounds = Number(values.rounds);
for (let round = 0; round < rounds; round++) {
  // A rotating order: no side always runs first, or always after the heaviest one.
  for (let i = 0; i < sides.length; i++) {
    const side = sides[(i + round) % sides.length];
    const line = side.measure();
    results.get(side.name)!.push(line);
    console.log(`round ${round + 1}: ${side.name} ${line.framesPerSec} frames/s (${line.cpuShare} of the core)`);
  }
}

const torch = results.get('pytorch')!;
const ratio = (lines: readonly Line[]) => median(lines.map((line, round) => line.framesPerSec / torch[round].framesPerSec));
const perCpu = (line: Line) => line.framesPerSec / line.cpuShare;
console.log(`\n${values.config}, one thread, ${rounds} rounds of ${values.seconds} s (medians; spread min–max):`);
console.log(['side', 'frames/s', 'spread', '× PyTorch', 'cpuShare', 'frames per CPU-second', '× PyTorch per CPU-second', ...(peak ? ['GFLOP/s', 'of peak'] : [])].join(' | '));
for (const [name, lines] of results) {
  const fps = lines.map((l) => l.framesPerSec);
  const cpuRatio = median(lines.map((line, round) => perCpu(line) / perCpu(torch[round])));
  const gflops = median(lines.map((l) => l.gflops ?? NaN));
  console.log(
    [
      `${name} (${lines[0].kernels})`,
      median(fps).toFixed(0),
      `${Math.min(...fps).toFixed(0)}–${Math.max(...fps).toFixed(0)}`,
      ratio(lines).toFixed(2),
      median(lines.map((l) => l.cpuShare)).toFixed(2),
      median(lines.map(perCpu)).toFixed(0),
      cpuRatio.toFixed(2),
      ...(peak ? (Number.isNaN(gflops) ? ['', ''] : [gflops.toFixed(1), `${((100 * gflops) / peak).toFixed(1)} %`]) : []),
    ].join(' | '),
  );
}
