/**
 * How long `kernelConformance` (lstmp/testing) takes on each kernel set, check
 * by check: the median of a few rounds, each a whole run at the default runs.
 *
 *     npx tsx bench/conformance.ts              # or: npm run bench:conformance
 *     npx tsx bench/conformance.ts --rounds 5
 */
import { performance } from 'node:perf_hooks';
import { median } from '../src/ops/median.js';
import { createWasmKernels } from '../src/ops/kernels/wasm/wasm-kernels.js';
import { portableKernels } from '../src/ops/kernels/portable/portable-kernels.js';
import { kernelConformance } from '../src/testing/conformance.js';

const at = process.argv.indexOf('--rounds');
const rounds = at > 0 ? Number(process.argv[at + 1]) : 3;

for (const kernels of [portableKernels, createWasmKernels()]) {
  const checks = kernelConformance(kernels);
  const times = checks.map(() => [] as number[]);
  const totals: number[] = [];
  for (let round = 0; round < rounds; round++) {
    let total = 0;
    checks.forEach((check, i) => {
      const start = performance.now();
      check.run();
      const ms = performance.now() - start;
      times[i].push(ms);
      total += ms;
    });
    totals.push(total);
  }
  console.log(`${kernels.name}: ${(median(totals) / 1000).toFixed(2)} s for ${checks.length} checks (median of ${rounds} rounds)`);
  checks.forEach((check, i) => console.log(`  ${median(times[i]).toFixed(0).padStart(6)} ms  ${check.name}`));
}
