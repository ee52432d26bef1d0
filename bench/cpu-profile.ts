/**
 * Self time per function of a V8 CPU profile (`node --cpu-prof`), the
 * measurement behind docs/performance.md's profile of a training step:
 *
 *   npm run build
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof dist/cli/main.js bench --config paper --threads 1 --seconds 20
 *   npx tsx bench/cpu-profile.ts /tmp/prof/CPU.*.1.002.cpuprofile --skip 5
 *
 * --cpu-prof writes one profile per thread; the bench's training thread is
 * the one whose name has thread id 1 (`.1.`). `--skip S` leaves out the
 * first S seconds (start-up, JIT warm-up); `--top N` rows (default 25).
 * WebAssembly functions appear under their export names (the kernels'
 * modules carry a name section).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface CpuProfile {
  readonly nodes: readonly { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const { positionals, values } = parseArgs({ allowPositionals: true, options: { skip: { type: 'string', default: '0' }, top: { type: 'string', default: '25' } } });
if (positionals.length !== 1) {
  console.error('usage: npx tsx bench/cpu-profile.ts FILE.cpuprofile [--skip seconds] [--top N]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(positionals[0], 'utf8')) as CpuProfile;
const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
const skipMicros = Number(values.skip) * 1e6;

const self = new Map<string, number>();
let elapsed = 0;
let counted = 0;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  elapsed += delta;
  if (elapsed < skipMicros) return;
  const frame = frames.get(id)!;
  const where = frame.url.startsWith('wasm') ? 'wasm' : `${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`;
  const key = `${frame.functionName || '(anonymous)'}  ${where}`;
  self.set(key, (self.get(key) ?? 0) + delta);
  counted += delta;
});

console.log(`${(counted / 1e6).toFixed(2)} s of samples after the first ${values.skip} s`);
for (const [key, micros] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
  console.log(`${((100 * micros) / counted).toFixed(1).padStart(5)} %  ${key}`);
}
