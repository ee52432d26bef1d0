/**
 * GFLOP/s of every sgemm lstmp has on the products an LSTMP training step
 * makes (paper config: 800 cells, 512 projection, 14247 outputs, T·B = 80
 * frames, B = 4 streams; and the small config's: 256 cells, 128
 * projection), one thread: portable, wasm SIMD without and with relaxed
 * SIMD, native AVX2 and AVX-512 where built, and the best native set's
 * share of the core's FMA peak.
 *
 *     npx tsx bench/gemm.ts            # or: npm run bench:gemm
 *     npx tsx bench/gemm.ts --quick    # fewer repetitions
 *
 * Operands of the wasm and native runs live in their memory (zero-copy);
 * the "wasm/copy" column times wasm on plain Float32Arrays, i.e. with the
 * staging copies.
 */
import { enableRelaxedSimd } from '../src/cli/relaxed-simd.js';
import { type Kernels } from '../src/ops/kernels/kernels.js';
import { createNativeKernels, nativeIsas } from '../src/ops/kernels/native/native-kernels.js';
import { createWasmKernels } from '../src/ops/kernels/wasm/wasm-kernels.js';
import { relaxedSimdAvailable } from '../src/ops/kernels/wasm/relaxed-simd.js';
import { portableKernels } from '../src/ops/kernels/portable/portable-kernels.js';
import { measureFmaPeak } from '../src/streams/training/fma-peak.js';

interface Shape {
  readonly what: string;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly transA: boolean;
  readonly transB: boolean;
}

const shapes: readonly Shape[] = [
  { what: 'output layer forward', m: 80, n: 14247, k: 512, transA: false, transB: true },
  { what: 'output weight gradient', m: 14247, n: 512, k: 80, transA: true, transB: false },
  { what: 'output input gradient', m: 80, n: 512, k: 14247, transA: false, transB: false },
  { what: 'recurrent forward (per step)', m: 4, n: 3200, k: 512, transA: false, transB: true },
  { what: 'recurrent backward (per step)', m: 4, n: 512, k: 3200, transA: false, transB: false },
  { what: 'projection forward (per step)', m: 4, n: 512, k: 800, transA: false, transB: true },
  { what: 'layer-0 input forward', m: 80, n: 3200, k: 40, transA: false, transB: true },
  { what: 'layer-1 input forward', m: 80, n: 3200, k: 512, transA: false, transB: true },
  { what: 'gate weight gradient', m: 3200, n: 512, k: 80, transA: true, transB: false },
  { what: 'gate input gradient', m: 80, n: 512, k: 3200, transA: false, transB: false },
  { what: 'projection backward (per step)', m: 4, n: 800, k: 512, transA: false, transB: false },
  { what: 'output bias gradient', m: 1, n: 14247, k: 80, transA: false, transB: false },
  { what: 'small: recurrent forward', m: 4, n: 1024, k: 128, transA: false, transB: true },
  { what: 'small: recurrent backward', m: 4, n: 128, k: 1024, transA: false, transB: false },
  { what: 'small: input forward', m: 80, n: 1024, k: 128, transA: false, transB: true },
  { what: 'small: layer-0 input forward', m: 80, n: 1024, k: 40, transA: false, transB: true },
  { what: 'small: gate weight gradient', m: 1024, n: 128, k: 80, transA: true, transB: false },
  { what: 'one stream (recognition): recurrent forward, the main job\'s network', m: 1, n: 768, k: 96, transA: false, transB: true },
  { what: 'one stream (recognition): projection forward', m: 1, n: 96, k: 192, transA: false, transB: true },
];

const quick = process.argv.includes('--quick');

function filled(kernels: Kernels, length: number, seed: number): Float32Array {
  const x = kernels.alloc(length);
  let s = seed;
  for (let i = 0; i < length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    x[i] = s / 2 ** 32 - 0.5;
  }
  return x;
}

/**
 * Best GFLOP/s over repetitions lasting at least `seconds` in all, timed by
 * the process's CPU time: on a shared machine, wall time mostly measures the
 * other processes (the wall-clock figure is the same on an idle machine).
 */
function measure(kernels: Kernels, shape: Shape, seconds: number): number {
  const { m, n, k, transA, transB } = shape;
  const a = filled(kernels, m * k, 1);
  const b = filled(kernels, k * n, 2);
  const c = kernels.alloc(m * n);
  const lda = transA ? m : k;
  const ldb = transB ? k : n;
  const run = () => kernels.sgemm(transA, transB, m, n, k, 1, a, 0, lda, b, 0, ldb, 0, c, 0, n);
  run(); // warm up (and let the wasm tier up)
  run();
  const cpuSeconds = (calls: number): number => {
    const t0 = process.cpuUsage();
    for (let i = 0; i < calls; i++) run();
    const used = process.cpuUsage(t0);
    return (used.user + used.system) / 1e6;
  };
  // Each sample is a batch of calls lasting ≥ 2 ms: a native product of the
  // small config takes ~10 µs, and the best of single calls timed that short
  // picks the timer's low errors (shares of the FMA peak above 100 %).
  let calls = 1;
  while (cpuSeconds(calls) < 2e-3 && calls < 1 << 20) calls *= 2;
  let best = Infinity;
  let total = 0;
  for (let reps = 0; total < seconds || reps < 3; reps++) {
    const dt = cpuSeconds(calls);
    best = Math.min(best, dt / calls);
    total += dt;
  }
  return (2 * m * n * k) / best / 1e9;
}

enableRelaxedSimd(); // as the CLI does, before any module compiles
const wasm = createWasmKernels({ relaxedSimd: false });
const outside: Kernels = { ...wasm, name: 'wasm, outside memory', alloc: portableKernels.alloc };
const relaxed = relaxedSimdAvailable() ? createWasmKernels({ relaxedSimd: true }) : null;
const native = nativeIsas();
const natives = (native.isas ?? []).map((isa) => createNativeKernels({ isa }));
const seconds = quick ? 0.2 : 1;

// Every wasm kernel runs once before any timing, so V8 has time to tier them all up (TurboFan compiles in the background).
for (const shape of shapes) for (const kernels of [wasm, ...(relaxed ? [relaxed] : [])]) measure(kernels, shape, 0);
// Column by column, wasm first: the portable runs' big garbage arrays would
// otherwise be freed by background threads while later cells are timed.
const columns: { readonly name: string; readonly gflops: readonly number[] }[] = [
  { name: 'wasm', gflops: shapes.map((shape) => measure(wasm, shape, seconds)) },
  ...(relaxed ? [{ name: 'relaxed', gflops: shapes.map((shape) => measure(relaxed, shape, seconds)) }] : []),
  ...natives.map((kernels) => ({ name: kernels.isa, gflops: shapes.map((shape) => measure(kernels, shape, seconds)) })),
  { name: 'wasm/copy', gflops: shapes.map((shape) => measure(outside, shape, seconds)) },
];
const portable = shapes.map((shape) => measure(portableKernels, shape, quick ? 0.3 : 1));
const peak = measureFmaPeak();

console.log(`sgemm GFLOP/s, one thread (best CPU time of ≥ ${seconds} s of runs per cell)${'gflops' in peak ? `; FMA peak ${peak.gflops.toFixed(1)} GFLOP/s` : `; no native kernels (${native.isas ? '' : native.reason})`}`);
const best = (i: number) => Math.max(0, ...columns.filter((c) => natives.some((k) => k.isa === c.name)).map((c) => c.gflops[i]));
console.log(
  'shape (m×n×k op)'.padEnd(18) + 'portable'.padStart(9) + columns.map((c) => c.name.padStart(10)).join('') + ('gflops' in peak ? 'of peak'.padStart(9) : '') + '  what',
);
shapes.forEach((shape, i) => {
  const op = `${shape.transA ? 'T' : 'N'}${shape.transB ? 'T' : 'N'}`;
  console.log(
    `${shape.m}×${shape.n}×${shape.k} ${op}`.padEnd(18) +
      portable[i].toFixed(2).padStart(9) +
      columns.map((c) => c.gflops[i].toFixed(1).padStart(10)).join('') +
      ('gflops' in peak ? `${((100 * best(i)) / peak.gflops).toFixed(0)} %`.padStart(9) : '') +
      `  ${shape.what}`,
  );
});
