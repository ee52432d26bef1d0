import type { Kernels } from '../kernels.js';
import { createStaging, type Arena } from './arena.js';
import { elementwiseModuleBytes, type ElementwiseExports } from './elementwise-module.js';
import { webAssembly } from './webassembly.js';
import { checkRows, checkSgdStep } from '../checks.js';
import { crossEntropy } from '../../nn/cross-entropy.js';

export type ElementwiseKernels = Pick<Kernels, 'logSoftmaxRows' | 'crossEntropyGradient' | 'sgdStep' | 'allFinite'>;

/** Floats per array the update and the finiteness check copy at a time for arrays outside the memory. */
const BLOCK = 16384;

/**
 * The softmax, its gradient, the SGD update and the finiteness check on
 * WebAssembly SIMD (wasm/elementwise-module.ts), computing the same as the
 * portable versions within float32 rounding. Arrays in the arena's memory
 * are used in place; others are copied through a staging area (a row or a
 * block at a time), so results never depend on where an array lives.
 */
export function createElementwiseKernels(arena: Arena): ElementwiseKernels {
  const shared = arena.memory.buffer instanceof SharedArrayBuffer;
  const wasm = new webAssembly.Instance(new webAssembly.Module(elementwiseModuleBytes(shared)), { env: { memory: arena.memory } })
    .exports as unknown as ElementwiseExports;
  const staging = createStaging(arena);
  const owned = (x: Float32Array | null): boolean => !x || arena.owns(x.buffer);
  const address = (x: Float32Array, offset: number): number => x.byteOffset + 4 * offset;
  /** `count` staging views of `floats` floats each, and the byte address of the first. */
  const stage = (count: number, floats: number): { at: number; views: Float32Array[] } => {
    const at = staging.ensure(count * floats);
    const buffer = arena.buffer(); // after any growth for staging
    return { at, views: Array.from({ length: count }, (_, i) => new Float32Array(buffer, at + 4 * i * floats, floats)) };
  };

  const logSoftmaxRow = (at: number, cols: number): void => {
    const max = wasm.maxOf(at, cols);
    wasm.addConstant(at, cols, -(max + Math.log(wasm.expSum(at, cols, max))));
  };

  const logSoftmaxRows: Kernels['logSoftmaxRows'] = (x, rows, cols) => {
    checkRows('logSoftmaxRows', x, rows, cols);
    if (owned(x)) {
      for (let r = 0; r < rows; r++) logSoftmaxRow(address(x, r * cols), cols);
      return;
    }
    const { at, views: [row] } = stage(1, cols);
    for (let r = 0; r < rows; r++) {
      row.set(x.subarray(r * cols, (r + 1) * cols));
      logSoftmaxRow(at, cols);
      x.set(row, r * cols);
    }
  };

  const crossEntropyGradient: Kernels['crossEntropyGradient'] = (logp, targets, mask, rows, cols, dLogits) => {
    checkRows('crossEntropyGradient', logp, rows, cols);
    checkRows('crossEntropyGradient', dLogits, rows, cols);
    const staged = owned(logp) && owned(dLogits) ? null : stage(2, cols);
    for (let r = 0; r < rows; r++) {
      const row = r * cols;
      const w = mask[r];
      if (w === 0) dLogits.fill(0, row, row + cols);
      else if (!staged) wasm.scaledExp(address(logp, row), address(dLogits, row), cols, w);
      else {
        staged.views[0].set(logp.subarray(row, row + cols));
        wasm.scaledExp(staged.at, staged.at + 4 * cols, cols, w);
        dLogits.set(staged.views[1], row);
      }
      if (w !== 0) dLogits[row + targets[r]] -= w;
    }
    return crossEntropy(logp, targets, mask, rows, cols);
  };

  const step = (p: number, v: number | null, g: number, n: number, rate: number, momentum: number, clip: number): void => {
    if (v === null) wasm.sgd(p, g, n, rate, clip);
    else wasm.sgdMomentum(p, v, g, n, rate, momentum, clip);
  };

  const sgdStep: Kernels['sgdStep'] = (params, velocity, gradient, offset, length, rate, momentum, clip) => {
    checkSgdStep(params, velocity, gradient, offset, length, momentum);
    if (owned(params) && owned(velocity) && owned(gradient)) {
      step(address(params, offset), velocity && address(velocity, offset), address(gradient, offset), length, rate, momentum, clip);
      return;
    }
    const { at, views: [p, g, v] } = stage(3, BLOCK);
    for (let start = offset; start < offset + length; start += BLOCK) {
      const n = Math.min(BLOCK, offset + length - start);
      p.set(params.subarray(start, start + n));
      g.set(gradient.subarray(start, start + n));
      if (velocity) v.set(velocity.subarray(start, start + n));
      step(at, velocity && at + 8 * BLOCK, at + 4 * BLOCK, n, rate, momentum, clip);
      params.set(p.subarray(0, n), start);
      if (velocity) velocity.set(v.subarray(0, n), start);
    }
  };

  const allFinite: Kernels['allFinite'] = (values) => {
    if (owned(values)) return wasm.allFinite(values.byteOffset, values.length) === 1;
    const { at, views: [copy] } = stage(1, BLOCK);
    for (let start = 0; start < values.length; start += BLOCK) {
      const n = Math.min(BLOCK, values.length - start);
      copy.set(values.subarray(start, start + n));
      if (wasm.allFinite(at, n) !== 1) return false;
    }
    return true;
  };

  return { logSoftmaxRows, crossEntropyGradient, sgdStep, allFinite };
}
