/**
 * Where one training step's time goes, by kernel call: runs the bench's step
 * (forward, truncated BPTT, finiteness check and SGD update of B = 4 × T = 20
 * frames) on this thread with every kernel wrapped in a timer, and prints the
 * milliseconds per step of each product shape and elementwise pass. A
 * complement to `node --cpu-prof` (bench/cpu-profile.ts), which names
 * functions but not the shapes they ran on.
 *
 *   npx tsx bench/step.ts [--config paper|small] [--kernels native|wasm|portable] [--steps N]
 */
import { parseArgs } from 'node:util';
import { BENCH_CONFIGS } from '../src/cli/bench.js';
import { initParameters } from '../src/model/network/init.js';
import { layoutOf, viewsOf } from '../src/model/network/layout.js';
import { countCorrect } from '../src/ops/nn/accuracy.js';
import { kernelsNamed, type KernelName } from '../src/ops/kernels/choice.js';
import type { Kernels } from '../src/ops/kernels/kernels.js';
import { backward, createWorkspace, forward, zeroState } from '../src/ops/nn/lstmp.js';
import { mulberry32 } from '../src/ops/random.js';

const { values } = parseArgs({ options: { config: { type: 'string', default: 'paper' }, kernels: { type: 'string', default: 'wasm' }, steps: { type: 'string', default: '30' } } });
const spec = BENCH_CONFIGS[values.config as 'paper' | 'small'];
const base = kernelsNamed(values.kernels as KernelName);
const steps = Number(values.steps);

const times = new Map<string, number>();
function timed<F extends (...args: never[]) => unknown>(name: (...args: Parameters<F>) => string, f: F): F {
  return ((...args: Parameters<F>) => {
    const start = performance.now();
    const result = f(...args);
    const key = name(...args);
    times.set(key, (times.get(key) ?? 0) + performance.now() - start);
    return result;
  }) as F;
}
const kernels: Kernels = {
  ...base,
  sgemm: timed((transA, transB, m, n, k) => `sgemm ${m}×${n}×${k} ${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}`, base.sgemm),
  cellForward: timed(() => 'cellForward', base.cellForward),
  cellBackward: timed(() => 'cellBackward', base.cellBackward),
  logSoftmaxRows: timed(() => 'logSoftmaxRows', base.logSoftmaxRows),
  crossEntropyGradient: timed(() => 'crossEntropyGradient', base.crossEntropyGradient),
  sgdStep: timed(() => 'sgdStep', base.sgdStep),
  allFinite: timed(() => 'allFinite', base.allFinite),
};

const [T, B] = [20, 4];
const frames = T * B;
const parameters = base.alloc(layoutOf(spec).size);
parameters.set(initParameters(spec, 1));
const gradient = base.alloc(parameters.length);
const [weights, gradients] = [viewsOf(spec, parameters), viewsOf(spec, gradient)];
const ws = createWorkspace(spec, T, B, base.alloc);
const state = zeroState(spec, B);
const random = mulberry32(1);
const x = base.alloc(frames * spec.inputs).map(() => 2 * random() - 1);
const targets = Int32Array.from({ length: frames }, () => Math.floor(random() * spec.outputs));
const mask = new Float32Array(frames).fill(1);
const slots = layoutOf(spec).tensors;
const countCorrectTimed = timed(() => 'countCorrect', countCorrect);

let total = 0;
for (let step = -5; step < steps; step++) {
  if (step === 0) times.clear(); // five warm-up steps
  const start = performance.now();
  forward(kernels, spec, weights, x, state, null, ws);
  backward(kernels, spec, weights, x, targets, mask, ws, gradients);
  countCorrectTimed(ws.logp, targets, mask, frames, spec.outputs);
  kernels.allFinite(gradient);
  for (const slot of slots) kernels.sgdStep(parameters, null, gradient, slot.offset, slot.size, 1e-7, 0, Infinity);
  if (step >= 0) total += performance.now() - start;
}
console.log(`${values.config}, ${values.kernels} kernels: ${(total / steps).toFixed(1)} ms per step, ${((1000 * frames * steps) / total).toFixed(0)} frames/s`);
let rest = total;
for (const [key, ms] of [...times].sort((a, b) => b[1] - a[1])) {
  rest -= ms;
  console.log(`${((100 * ms) / total).toFixed(1).padStart(5)} %  ${(ms / steps).toFixed(2).padStart(7)} ms  ${key}`);
}
console.log(`${((100 * rest) / total).toFixed(1).padStart(5)} %  ${(rest / steps).toFixed(2).padStart(7)} ms  the rest (JavaScript between the kernels)`);
