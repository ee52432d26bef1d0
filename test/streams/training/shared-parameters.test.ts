import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { KernelName } from '../../../src/ops/kernels/choice.js';
import { nativeIsas } from '../../../src/ops/kernels/native/native-kernels.js';
import { shareParameters, type SharedParameters } from '../../../src/streams/training/shared-parameters.js';

const native = nativeIsas();
const names: KernelName[] = ['portable', 'wasm', ...(native.isas ? (['native'] as const) : [])];

const N = 4096;
const STEPS = 100;

// A worker thread as training threads are: it attaches to the shared parameters, steps its half of them
// STEPS times with sgdStep (gradient id + 1, rate 0.25: every value stays exact), reports, and then sums all
// of them with an sgemm that reads the parameters in place.
const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
const source = `
  const { workerData, parentPort } = require('node:worker_threads');
  import(${tsx}).then(({ register }) => { register(); return import(workerData.url); }).then(({ attachParameters }) => {
    const { shared, id, steps } = workerData;
    const { kernels, parameters } = attachParameters(shared);
    const half = parameters.length / 2;
    const gradient = new Float32Array(parameters.length).fill(id + 1);
    for (let step = 0; step < steps; step++) kernels.sgdStep(parameters, null, gradient, id * half, half, 0.25, 0, Infinity);
    const inPlace = parameters.byteOffset === shared.byteOffset && parameters.buffer === (shared.memory ? shared.memory.buffer : shared.buffer);
    parentPort.postMessage({ kernels: kernels.name, inPlace });
    parentPort.once('message', () => {
      const ones = kernels.alloc(parameters.length).fill(1);
      const sum = kernels.alloc(1);
      kernels.sgemm(false, false, 1, 1, parameters.length, 1, parameters, 0, parameters.length, ones, 0, 1, 0, sum, 0, 1);
      parentPort.postMessage(sum[0]);
    });
  });`;
const url = new URL('../../../src/streams/training/shared-parameters.ts', import.meta.url).href;

interface Thread {
  readonly stepped: Promise<{ kernels: string; inPlace: boolean }>;
  readonly sum: () => Promise<number>;
}

function thread(shared: SharedParameters, id: number): Thread {
  const worker = new Worker(source, { eval: true, workerData: { shared, id, steps: STEPS, url } });
  const failed = new Promise<never>((_, reject) => worker.once('error', reject));
  const next = <T>() => Promise.race([failed, new Promise<T>((resolve) => worker.once('message', resolve))]);
  const stepped = next<{ kernels: string; inPlace: boolean }>();
  return {
    stepped,
    sum: async () => {
      await stepped;
      const reply = next<number>();
      worker.postMessage('sum');
      const value = await reply;
      await worker.terminate();
      return value;
    },
  };
}

// Hogwild: every thread trains the one parameter buffer in place, on every kernel set (native included where it is
// built): what one thread writes the others and the main thread read with no copy in between.
describe.each(names)('shared parameters on %s kernels', (name) => {
  it('two threads step one buffer at once, and each reads what the other and the main thread wrote', async () => {
    const values = Float32Array.from({ length: N }, (_, i) => i % 7);
    const { parameters, shared } = shareParameters(name, values);
    const threads = [thread(shared, 0), thread(shared, 1)];
    const reports = await Promise.all(threads.map((t) => t.stepped));
    expect(reports).toEqual([0, 1].map(() => ({ kernels: expect.stringContaining(name), inPlace: true })));
    // Each half moved by STEPS × 0.25 × (its thread's id + 1), seen in the main thread's own array.
    expect(Array.from(parameters)).toEqual(Array.from(values, (v, i) => v - STEPS * 0.25 * (i < N / 2 ? 1 : 2)));
    parameters[0] += 1000; // the main thread's write, read by both threads' products
    const expected = parameters.reduce((sum, v) => sum + v, 0);
    expect(await Promise.all(threads.map((t) => t.sum()))).toEqual([expected, expected]);
  });
});

if (!native.isas) it.skip(`shared parameters on native kernels: skipped, ${native.reason}`, () => {});
