import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portableKernels } from '../../src/ops/kernels/portable/portable-kernels.js';
import { createWasmKernels } from '../../src/ops/kernels/wasm/wasm-kernels.js';
import { kernelConformance } from '../../src/testing/conformance.js';
import { buildCli, repoRoot } from '../support/cli.js';

// A project of a user's: outside the repository, depending on lstmp by path, with lstmp (the built
// repository), fast-check and rxjs in its node_modules as npm would link them, and tests of its own.
let project: string;
beforeAll(() => {
  buildCli();
  project = mkdtempSync(join(tmpdir(), 'lstmp-user-project-'));
  const pkg = { name: 'user-project', private: true, type: 'module', dependencies: { lstmp: `file:${repoRoot}`, rxjs: '^7.8.2' }, devDependencies: { 'fast-check': '^4.10.2' } };
  writeFileSync(join(project, 'package.json'), JSON.stringify(pkg, null, 2));
  mkdirSync(join(project, 'node_modules', '@types'), { recursive: true });
  symlinkSync(repoRoot, join(project, 'node_modules', 'lstmp'), 'dir');
  for (const name of ['fast-check', 'rxjs', '@types/node']) symlinkSync(realpathSync(join(repoRoot, 'node_modules', name)), join(project, 'node_modules', name), 'dir');

  writeFileSync(
    join(project, 'conformance.test.mjs'),
    `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { map } from 'rxjs';
import { createWasmKernels, portableKernels } from 'lstmp';
import { errorLike, gradcheck, kernelConformance, runMarbles } from 'lstmp/testing';

for (const kernels of [portableKernels, createWasmKernels()]) {
  for (const check of kernelConformance(kernels)) test(\`\${kernels.name}: \${check.name}\`, () => check.run());
}

test('a kernel set with a bug fails, with a counterexample', () => {
  const clipless = { ...portableKernels, name: 'clipless', sgdStep: (p, v, g, offset, length, rate, momentum) => portableKernels.sgdStep(p, v, g, offset, length, rate, momentum, Infinity) };
  const check = kernelConformance(clipless).find((c) => c.name.startsWith('sgdStep: the slice'));
  assert.throws(() => check.run(), /\\nCounterexample: [^]*Got error: parameter\\[\\d+\\]/);
});

test('gradcheck and runMarbles', () => {
  const x = Float32Array.of(0.5, -1, 2);
  gradcheck((p) => p.reduce((s, v) => s + v * v, 0), x, x.map((v) => 2 * v));
  runMarbles(({ cold, expectObservable }) => {
    const halves = cold('a-b|', { a: 2, b: 0 }).pipe(map((x) => { if (x === 0) throw new RangeError('zero'); return 1 / x; }));
    expectObservable(halves).toBe('a-#', { a: 0.5 }, errorLike(RangeError, 'zero'));
  });
});
`,
  );
  writeFileSync(
    join(project, 'check.ts'),
    `import { portableKernels, type Kernels } from 'lstmp';
import { closeTo, kernelConformance, type ConformanceCheck, type Discrepancy } from 'lstmp/testing';
const kernels: Kernels = portableKernels;
const checks: readonly ConformanceCheck[] = kernelConformance(kernels, { numRuns: 10, placement: 'plain' });
const worst: Discrepancy = closeTo(Float32Array.of(1), [1], { ulps: 1 });
export const names: string[] = checks.map((c) => c.name).concat(String(worst.index));
`,
  );
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] }, files: ['check.ts'] }),
  );
}, 240_000);
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('lstmp/testing in a project of its own', () => {
  it('runs kernelConformance and the kit under node --test, importing lstmp and lstmp/testing', () => {
    const run = spawnSync(process.execPath, ['--test', 'conformance.test.mjs'], { cwd: project, encoding: 'utf8', timeout: 120_000 });
    // portable has argmaxRows, an optional kernel the wasm set leaves to the portable loop
    const checks = kernelConformance(portableKernels).length + kernelConformance(createWasmKernels()).length;
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(new RegExp(`\\n# tests ${checks + 2}\\n`));
    expect(run.stdout).toMatch(/\n# fail 0\n/);
    expect(run.status).toBe(0);
  });

  it('type-checks against lstmp/testing’s declarations', () => {
    const tsc = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], { cwd: project, encoding: 'utf8', timeout: 120_000 });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });

  it('imports no test runner: nothing in dist/testing but fast-check, rxjs and lstmp itself', () => {
    const files = readdirSync(join(repoRoot, 'dist', 'testing')).filter((f) => f.endsWith('.js'));
    const imported = new Set(files.flatMap((f) => [...readFileSync(join(repoRoot, 'dist', 'testing', f), 'utf8').matchAll(/^import [^;]*? from '([^']+)';$/gm)].map((m) => m[1])));
    expect([...imported].filter((from) => !from.startsWith('.')).sort()).toEqual(['fast-check', 'rxjs/testing']);
  });
});
