/**
 * GFLOP/s of the portable and the wasm SIMD sgemm on the products an LSTMP
 * training step makes (paper config: 800 cells, 512 projection, 14247
 * outputs, T·B = 80 frames, B = 4 streams; and two of the small config's:
 * 256 cells, 128 projection), one thread.
 *
 *     npx tsx bench/gemm.ts            # or: npm run bench:gemm
 *     npx tsx bench/gemm.ts --quick    # fewer repetitions
 *
 * Operands of the wasm runs live in its memory (zero-copy); the last column
 * times wasm on plain Float32Arrays, i.e. with the staging copies.
 */
import { type Kernels } from '../src/ops/kernels/kernels.js';
import { createWasmKernels } from '../src/ops/kernels/wasm/wasm-kernels.js';
import { portableKernels } from '../src/ops/kernels/portable/portable-kernels.js';

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
  { what: 'small config: recurrent forward', m: 4, n: 1024, k: 128, transA: false, transB: true },
  { what: 'small config: input forward', m: 80, n: 1024, k: 128, transA: false, transB: true },
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
  let best = Infinity;
  let total = 0;
  for (let reps = 0; total < seconds || reps < 3; reps++) {
    const t0 = process.cpuUsage();
    run();
    const used = process.cpuUsage(t0);
    const dt = (used.user + used.system) / 1e6;
    best = Math.min(best, dt);
    total += dt;
  }
  return (2 * m * n * k) / best / 1e9;
}

const wasm = createWasmKernels();
const outside: Kernels = { ...wasm, name: 'wasm, outside memory', alloc: portableKernels.alloc };
const seconds = quick ? 0.2 : 1;

// Every wasm kernel runs once before any timing, so V8 has time to tier them all up (TurboFan compiles in the background).
for (const shape of shapes) measure(wasm, shape, 0);
// Column by column, wasm first: the portable runs' big garbage arrays would
// otherwise be freed by background threads while later cells are timed.
const simd = shapes.map((shape) => measure(wasm, shape, seconds));
const copied = shapes.map((shape) => measure(outside, shape, seconds));
const portable = shapes.map((shape) => measure(portableKernels, shape, quick ? 0.3 : 1));

console.log(`sgemm GFLOP/s, one thread (best CPU time of ≥ ${seconds} s of runs per cell)`);
console.log('shape (m×n×k op)'.padEnd(22) + 'portable'.padStart(10) + 'wasm'.padStart(10) + 'ratio'.padStart(8) + 'wasm/copy'.padStart(11) + '  what');
shapes.forEach((shape, i) => {
  const op = `${shape.transA ? 'T' : 'N'}${shape.transB ? 'T' : 'N'}`;
  console.log(
    `${shape.m}×${shape.n}×${shape.k} ${op}`.padEnd(22) +
      portable[i].toFixed(2).padStart(10) +
      simd[i].toFixed(2).padStart(10) +
      `${(simd[i] / portable[i]).toFixed(1)}×`.padStart(8) +
      copied[i].toFixed(2).padStart(11) +
      `  ${shape.what}`,
  );
});
