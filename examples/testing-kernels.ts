/**
 * Example: running `kernelConformance` on a kernel set of your own.
 *
 *     npx tsx examples/testing-kernels.ts
 *
 * A kernel set is a `Kernels` object: here lstmp's portable set with two
 * kernels of our own. `allFinite` takes one multiply-add per element (x·0 is
 * 0 for every finite x, NaN for NaN and ±Infinity) instead of a test and a
 * branch. `crossEntropyGradient` comes twice: once right, and once with a
 * bug planted, the kind a faster rewrite brings in — it skips masked rows
 * without writing their zeros, so whatever the buffer held stays there.
 * The conformance run passes the first set and names the check the second
 * fails, with the smallest case fast-check found.
 */
import { portableKernels, type Kernels } from '../src/index.js';
import { checkRows, crossEntropy } from '../src/ops/index.js';
import { kernelConformance } from '../src/testing/index.js';
import { runStandalone } from './run.js';

/** True when every value is finite: NaN and ±Infinity make the sum NaN. */
function allFinite(values: Float32Array): boolean {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] * 0;
  return sum === 0;
}

/** mask · (softmax − onehot(target)) for each row; with `skipMasked`, rows of mask 0 are not written at all (the planted bug). */
function crossEntropyGradientOf(skipMasked: boolean): Kernels['crossEntropyGradient'] {
  return (logp, targets, mask, rows, cols, dLogits) => {
    checkRows('crossEntropyGradient', logp, rows, cols); // the bounds checks every kernel set runs (lstmp/ops)
    checkRows('crossEntropyGradient', dLogits, rows, cols);
    for (let r = 0; r < rows; r++) {
      const w = mask[r];
      if (w === 0 && skipMasked) continue;
      for (let j = 0; j < cols; j++) dLogits[r * cols + j] = w * Math.exp(logp[r * cols + j]);
      dLogits[r * cols + targets[r]] -= w;
    }
    return crossEntropy(logp, targets, mask, rows, cols);
  };
}

export const mine: Kernels = { ...portableKernels, name: 'mine', allFinite, crossEntropyGradient: crossEntropyGradientOf(false) };
export const buggy: Kernels = { ...mine, name: 'mine-buggy', crossEntropyGradient: crossEntropyGradientOf(true) };

export interface ConformanceReport {
  readonly kernels: string;
  readonly passed: readonly string[];
  readonly failed: readonly { readonly name: string; readonly message: string }[];
}

/** Every conformance check on `kernels`, each run to the end: what passed and what failed (with fast-check's report). */
export function conformanceOf(kernels: Kernels): ConformanceReport {
  const passed: string[] = [];
  const failed: { name: string; message: string }[] = [];
  for (const check of kernelConformance(kernels)) {
    try {
      check.run();
      passed.push(check.name);
    } catch (error) {
      failed.push({ name: check.name, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return { kernels: kernels.name, passed, failed };
}

export function main(): ConformanceReport[] {
  return [conformanceOf(mine), conformanceOf(buggy)];
}

runStandalone(import.meta.url, main, (reports) =>
  reports
    .map(({ kernels, passed, failed }) => [`${kernels}: ${passed.length} checks passed, ${failed.length} failed`, ...failed.map((f) => `  ${f.message.split('\n').slice(0, 5).join('\n  ')}`)].join('\n'))
    .join('\n'),
);
