import { Session, type HeapProfiler } from 'node:inspector/promises';
import { layoutOf, viewsOf } from '../../src/model/network/layout.js';
import { backward, createWorkspace, forward, recurrentSize, type LstmpSpec } from '../../src/ops/nn/lstmp.js';
import { mulberry32 } from '../../src/ops/random.js';
import { kernelsOf, type KernelRecipe } from './kernels.js';

/** Bytes the JS heap sampler saw allocated inside `run` (in frames below a function of that name), collected or not. */
async function bytesAllocatedIn(run: () => void): Promise<number> {
  const session = new Session();
  session.connect();
  try {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', { samplingInterval: 16, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true });
    run();
    const { profile } = await session.post('HeapProfiler.stopSampling');
    const below = (node: HeapProfiler.SamplingHeapProfileNode, inside: boolean): number => {
      const here = inside || node.callFrame.functionName === run.name;
      return (here ? node.selfSize : 0) + node.children.reduce((sum, child) => sum + below(child, here), 0);
    };
    return below(profile.head, false);
  } finally {
    session.disconnect();
  }
}

/**
 * What `steps` training steps (forward, backward, finiteness check, update)
 * allocate on the JS heap once the optimising compiler has them, on the
 * kernel set `recipe` makes: run by test/ops/nn/lstmp.test.ts in a thread
 * of its own per set.
 */
export async function stepAllocation(recipe: KernelRecipe): Promise<{ readonly bytes: number; readonly steps: number }> {
  const kernels = kernelsOf(recipe);
  const spec: LstmpSpec = { inputs: 5, cells: 8, projection: 4, layers: 2, outputs: 6, cellClip: 50, peepholes: true };
  const [T, B] = [5, 3];
  const random = mulberry32(7);
  const params = kernels.alloc(layoutOf(spec).size);
  for (let i = 0; i < params.length; i++) params[i] = 0.2 * random() - 0.1;
  const gradient = kernels.alloc(params.length);
  const [weights, gradients] = [viewsOf(spec, params), viewsOf(spec, gradient)];
  const ws = createWorkspace(spec, T, B, kernels.alloc);
  const state = { r: [new Float32Array(B * recurrentSize(spec)), new Float32Array(B * recurrentSize(spec))], c: [new Float32Array(B * 8), new Float32Array(B * 8)] };
  const x = Float32Array.from({ length: T * B * spec.inputs }, () => random() - 0.5); // outside: staged
  const targets = Int32Array.from({ length: T * B }, (_, n) => n % spec.outputs);
  const mask = new Float32Array(T * B).fill(1);
  const reset = new Uint8Array(B);
  const slots = layoutOf(spec).tensors;
  const step = () => {
    forward(kernels, spec, weights, x, state, reset, ws);
    backward(kernels, spec, weights, x, targets, mask, ws, gradients);
    kernels.allFinite(gradient);
    for (let i = 0; i < slots.length; i++) kernels.sgdStep(params, null, gradient, slots[i].offset, slots[i].size, 1e-3, 0, 1);
  };
  for (let i = 0; i < 20_000; i++) step(); // until the optimising compiler has them
  const steps = 500;
  const trainingSteps = () => {
    for (let i = 0; i < steps; i++) step();
  };
  return { bytes: await bytesAllocatedIn(trainingSteps), steps };
}
