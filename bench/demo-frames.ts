/**
 * How many frames `npm start` (lstmp demo) trains in the same budget, before
 * and after: another checkout's build (e.g. main, the wasm kernels it had)
 * against this one on its native kernels and on its wasm kernels
 * (LSTMP_NATIVE=0), interleaved round after round in a rotating order, each
 * run `lstmp demo --train-seconds S` on the same corpus, as `npm start` runs
 * it (2 threads by default). Prints each side's median frames, the median of
 * the per-round ratios to the first side, and what a shared host took:
 * each run's CPU over wall time (cores it had) and the other processes'
 * (from /proc/stat), since the host may be busy.
 *
 *   npm run build   # here, and in the other checkout
 *   npx tsx bench/demo-frames.ts --before /tmp/before --corpus corpora/synthdigits --seconds 60 --rounds 2
 *
 * Linux only (/proc). The demo's decoding and report are outside the
 * budget: `frames` is what its training saw in --train-seconds.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from '../src/ops/median.js';

const { values } = parseArgs({
  options: {
    before: { type: 'string' },
    corpus: { type: 'string', default: 'corpora/synthdigits' },
    seconds: { type: 'string', default: '60' },
    rounds: { type: 'string', default: '2' },
    threads: { type: 'string', default: '2' },
  },
});
if (!values.before) {
  process.stderr.write('demo-frames: --before <checkout> is required (a built checkout to compare with)\n');
  process.exit(2);
}
const here = fileURLToPath(new URL('..', import.meta.url));
const corpus = resolve(values.corpus);

interface Side {
  readonly name: string;
  readonly root: string;
  readonly env: NodeJS.ProcessEnv;
}
const sides: readonly Side[] = [
  { name: 'before', root: resolve(values.before), env: process.env },
  { name: 'native', root: here, env: process.env },
  { name: 'wasm', root: here, env: { ...process.env, LSTMP_NATIVE: '0' } },
];

/** Busy jiffies of the whole machine (all CPUs), from /proc/stat's first line. */
function machineTicks(): { busy: number } {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const idle = fields[3] + fields[4]; // idle + iowait
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle };
}

interface Run {
  readonly frames: number;
  readonly trainSeconds: number;
  /** cores the demo's process had over its run: CPU seconds / wall seconds */
  readonly cores: number;
  /** cores the other processes on the host took meanwhile */
  readonly others: number;
}

const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

function run(side: Side): Run {
  const out = mkdtempSync(join(tmpdir(), 'lstmp-demo-frames-'));
  try {
    const args = [join(side.root, 'dist/cli/main.js'), 'demo', '--corpus', corpus, '--out', out, '--threads', values.threads, '--train-seconds', values.seconds, '--quiet'];
    // The shell reports its waited-for child's CPU time (cutime + cstime in /proc/$$/stat) after it exits.
    const script = '"$@" >&2; status=$?; cat /proc/$$/stat; exit $status';
    const before = machineTicks();
    const start = process.hrtime.bigint();
    const result = spawnSync('sh', ['-c', script, 'sh', process.execPath, ...args], { encoding: 'utf8', env: side.env });
    const wall = Number(process.hrtime.bigint() - start) / 1e9;
    const after = machineTicks();
    if (result.status !== 0) throw new Error(`${side.name}: lstmp demo failed:\n${result.stderr}`);
    const stat = result.stdout.trim().split(') ')[1].split(' '); // fields from the 3rd on
    const cpu = (Number(stat[13]) + Number(stat[14])) / ticksPerSecond; // cutime, cstime: fields 16 and 17
    const cores = cpu / wall;
    const machineCores = (after.busy - before.busy) / ticksPerSecond / wall; // busy jiffies of all CPUs
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { frames: number; trainSeconds: number };
    return { frames: summary.frames, trainSeconds: summary.trainSeconds, cores, others: Math.max(0, machineCores - cores) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const flags = /^flags\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
console.log(`host: SIMD flags ${flags.split(' ').filter((f) => /^(avx|fma|sse4)/.test(f)).join(' ')}`);
const results = new Map<string, Run[]>(sides.map((side) => [side.name, []]));
const rounds = Number(values.rounds);
for (let round = 0; round < rounds; round++) {
  for (let i = 0; i < sides.length; i++) {
    const side = sides[(i + round) % sides.length];
    const r = run(side);
    results.get(side.name)!.push(r);
    console.log(`round ${round + 1}: ${side.name} ${r.frames} frames in ${r.trainSeconds.toFixed(1)} s of training (demo had ${r.cores.toFixed(2)} cores, others ${r.others.toFixed(2)})`);
  }
}
const first = results.get(sides[0].name)!;
console.log(`\nlstmp demo --threads ${values.threads} --train-seconds ${values.seconds}, ${rounds} rounds (medians):`);
console.log('side | frames trained | × before (per-round ratios) | demo cores | others\' cores');
for (const [name, runs] of results) {
  const ratios = runs.map((r, k) => r.frames / first[k].frames);
  console.log(
    `${name} | ${median(runs.map((r) => r.frames)).toFixed(0)} | ${median(ratios).toFixed(2)} (${ratios.map((x) => x.toFixed(2)).join(', ')}) | ${median(runs.map((r) => r.cores)).toFixed(2)} | ${median(runs.map((r) => r.others)).toFixed(2)}`,
  );
}
