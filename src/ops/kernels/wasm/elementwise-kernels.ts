import type { Kernels } from '../kernels.js';
import { createRuns, READ, WRITE, type Arena, type Runs } from './arena.js';
import { elementwiseModuleBytes, type ElementwiseExports } from './elementwise-module.js';
import { isShared, webAssembly } from './webassembly.js';
import { checkRows, checkRun, checkSgdStep } from '../checks.js';
import { crossEntropy } from '../../nn/cross-entropy.js';

export type ElementwiseKernels = Pick<Kernels, 'logSoftmaxRows' | 'crossEntropyGradient' | 'sgdStep' | 'allFinite'>;

/** Floats per array the update and the finiteness check stage at a time for arrays outside the memory: bounds the staging area. */
const BLOCK = 16384;

/**
 * The softmax, its gradient, the SGD update and the finiteness check on
 * WebAssembly SIMD (wasm/elementwise-module.ts), computing the same as the
 * portable versions within float32 rounding. Each call places its arrays
 * with {@link Runs} (a row or a block at a time): in place in the arena's
 * memory, or copied through staging, so results never depend on where an
 * array lives.
 */
export function createElementwiseKernels(arena: Arena): ElementwiseKernels {
  const shared = isShared(arena.memory);
  const wasm = new webAssembly.Instance(new webAssembly.Module(elementwiseModuleBytes(shared)), { env: { memory: arena.memory } })
    .exports as unknown as ElementwiseExports;
  const runs = createRuns(arena, 3, checkRun);

  const logSoftmaxRows: Kernels['logSoftmaxRows'] = (x, rows, cols) => {
    checkRows('logSoftmaxRows', x, rows, cols);
    for (let r = 0; r < rows; r++) {
      runs.clear();
      const row = runs.add(x, r * cols, cols);
      runs.place();
      const at = runs.at(row);
      const max = wasm.maxOf(at, cols);
      wasm.addConstant(at, cols, -(max + Math.log(wasm.expSum(at, cols, max))));
      runs.restore();
    }
  };

  const crossEntropyGradient: Kernels['crossEntropyGradient'] = (logp, targets, mask, rows, cols, dLogits) => {
    checkRows('crossEntropyGradient', logp, rows, cols);
    checkRows('crossEntropyGradient', dLogits, rows, cols);
    for (let r = 0; r < rows; r++) {
      const row = r * cols;
      const w = mask[r];
      if (w === 0) {
        dLogits.fill(0, row, row + cols);
        continue;
      }
      runs.clear();
      const p = runs.add(logp, row, cols, READ);
      const d = runs.add(dLogits, row, cols, WRITE);
      runs.place();
      wasm.scaledExp(runs.at(p), runs.at(d), cols, w);
      runs.restore();
      dLogits[row + targets[r]] -= w;
    }
    return crossEntropy(logp, targets, mask, rows, cols);
  };

  const sgdStep: Kernels['sgdStep'] = (params, velocity, gradient, offset, length, rate, momentum, clip) => {
    checkSgdStep(params, velocity, gradient, offset, length, momentum);
    // One call over the whole slice when it is all in the memory; blocks through staging otherwise.
    const inPlace = arena.owns(params.buffer) && arena.owns(gradient.buffer) && (!velocity || arena.owns(velocity.buffer));
    const block = inPlace ? Math.max(length, 1) : BLOCK;
    for (let start = offset; start < offset + length; start += block) {
      const n = Math.min(block, offset + length - start);
      runs.clear();
      const p = runs.add(params, start, n);
      const g = runs.add(gradient, start, n, READ);
      const v = velocity ? runs.add(velocity, start, n) : -1;
      runs.place();
      if (v < 0) wasm.sgd(runs.at(p), runs.at(g), n, rate, clip);
      else wasm.sgdMomentum(runs.at(p), runs.at(v), runs.at(g), n, rate, momentum, clip);
      runs.restore();
    }
  };

  const allFinite: Kernels['allFinite'] = (values) => {
    const block = arena.owns(values.buffer) ? Math.max(values.length, 1) : BLOCK;
    for (let start = 0; start < values.length; start += block) {
      const n = Math.min(block, values.length - start);
      runs.clear();
      const x = runs.add(values, start, n, READ);
      runs.place();
      if (wasm.allFinite(runs.at(x), n) !== 1) return false;
    }
    return true;
  };

  return { logSoftmaxRows, crossEntropyGradient, sgdStep, allFinite };
}
