import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { lastValueFrom, of } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as customChunking } from '../examples/custom-chunking.js';
import { main as customFeatures, withDeltas } from '../examples/custom-features.js';
import { main as gradientNorms } from '../examples/gradient-norms.js';
import { main as activation } from '../examples/testing-activation.js';
import { main as kernels } from '../examples/testing-kernels.js';
import { main as stage } from '../examples/testing-stage.js';
import { operate, portableKernels } from '../src/index.js';
import type { LabelledUtterance } from '../src/streams/pipeline/utterance.js';
import { kernelConformance } from '../src/testing/conformance.js';
import { repoRoot } from './support/cli.js';
import { toneCorpus } from './support/corpus.js';

let corpus: string;
beforeAll(() => {
  corpus = toneCorpus({ utterances: 40 });
});
afterAll(() => rmSync(corpus, { recursive: true, force: true }));

describe('examples/', () => {
  it('custom-chunking trains in chunks of 10 steps × 2 streams on its own schedule, and learns', async () => {
    const result = await customChunking({ corpus });
    expect(result.shapes).toEqual(['10x2']);
    expect(result.firstRate).toBe(0.02);
    expect(result.lastRate).toBeCloseTo(0.02 * Math.pow(0.5, result.frames / 10_000), 3);
    expect(result.devFrameAccuracy).toBeGreaterThan(0.6); // 4 states: chance is about 0.25
  });

  it('withDeltas appends (x[t+1] − x[t−1]) / 2 to every frame, repeating the edge frames', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 }), fc.integer(), async (frames, dim, seed) => {
        const x = Float32Array.from({ length: frames * dim }, (_, i) => Math.sin(seed + 1.3 * i));
        const out = await lastValueFrom(of({ id: 'u', frames, dim, features: x, targets: new Int32Array(frames) }).pipe(withDeltas()));
        expect(out.dim).toBe(2 * dim);
        for (let t = 0; t < frames; t++) {
          for (let j = 0; j < dim; j++) {
            const at = (s: number) => x[Math.min(Math.max(s, 0), frames - 1) * dim + j];
            expect(out.features[t * 2 * dim + j]).toBe(x[t * dim + j]);
            expect(out.features[t * 2 * dim + dim + j]).toBeCloseTo((at(t + 1) - at(t - 1)) / 2, 6);
          }
        }
      }),
      { numRuns: 50 },
    );
  });

  it('custom-features trains on filterbank + delta features (80 inputs), and learns', async () => {
    const result = await customFeatures({ corpus });
    expect(result.inputs).toBe(80);
    expect(result.updates).toBeGreaterThan(0);
    expect(result.devFrameAccuracy).toBeGreaterThan(0.6);
  });

  it('gradient-norms measures every chunk, the tensor norms adding up to the total', async () => {
    const lines: string[] = [];
    const norms = await gradientNorms({ corpus, log: (line) => lines.push(line) });
    expect(norms.length).toBeGreaterThan(5);
    expect(lines.length).toBe(Math.ceil(norms.length / 10));
    expect(lines[0]).toMatch(/^chunk 0: loss \d+\.\d{3}\/frame, ‖g‖ \d+\.\d{2}, largest \S+ \d+\.\d{2}$/);
    for (const { total, tensors, loss } of norms) {
      expect(total).toBeGreaterThan(0);
      expect(Number.isFinite(loss)).toBe(true);
      const squares = Object.values(tensors).reduce((sum, n) => sum + n * n, 0);
      expect(Math.sqrt(squares)).toBeCloseTo(total, 4);
    }
  });

  it('runs from the command line: npx tsx examples/gradient-norms.ts CORPUS_DIR', () => {
    const run = spawnSync('npx', ['tsx', 'examples/gradient-norms.ts', corpus], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^chunk 0: .*\n(.*\n)*\d+ chunks; gradient norm \d+\.\d+ at the start, \d+\.\d+ at the end\n$/);
  });
});

describe('examples/ of docs/testing.md', () => {
  it('testing-activation: swish passes its forward and gradient properties; a backward missing a factor does not, with a counterexample', () => {
    const report = activation({ runs: 100 });
    expect(report.worst.index).toBeGreaterThanOrEqual(0);
    expect(report.worst.error).toBeLessThanOrEqual(report.worst.allowed);
    const missingFactor = (x: Float32Array, dy: Float32Array) => {
      for (let i = 0; i < x.length; i++) dy[i] *= 1 / (1 + Math.exp(-x[i]));
    };
    expect(() => activation({ runs: 100, backward: missingFactor })).toThrow(/\nCounterexample: \[\[Float32Array\.from\(\[.*\]\),Float32Array\.from\(\[.*\]\)\]\][^]*gradcheck: parameter \d+: analytic /);
  });

  it('testing-kernels: the kernel set of our own passes every check; the one with the planted bug fails the check of masked rows, with its counterexample', () => {
    const [mine, buggy] = kernels();
    expect(mine.failed).toEqual([]);
    expect(mine.passed).toHaveLength(kernelConformance(portableKernels).length);
    expect(buggy.failed.map((f) => f.name)).toEqual(['crossEntropyGradient: the summed masked loss and its exact gradient, zero on masked rows']);
    expect(buggy.failed[0].message).toMatch(/\nCounterexample: \[\[\{"rows":\d+,"cols":\d+,[^]*\nGot error: ∂loss\/∂logits\[\d+\] = NaN, want 0 ± /);
  });

  it('testing-stage: atLeast passes its marble tests; a stage that drops an utterance of exactly `frames` does not', () => {
    expect(stage()).toHaveLength(3);
    const strict = (frames: number) =>
      operate<LabelledUtterance, LabelledUtterance>((subscriber) => ({
        next: (utterance) => {
          if (utterance.targets.length !== utterance.frames) throw new RangeError(`${utterance.id}: ${utterance.targets.length} targets for ${utterance.frames} frames`);
          if (utterance.frames > frames) subscriber.next(utterance);
        },
      }));
    expect(() => stage(strict)).toThrow(/^marbles differ:\n {2}actual:\n {4}frame 4: next \{ id: "longer", /);
  });

  it('run from the command line: npx tsx examples/testing-kernels.ts', () => {
    const run = spawnSync('npx', ['tsx', 'examples/testing-kernels.ts'], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^mine: \d+ checks passed, 0 failed\nmine-buggy: \d+ checks passed, 1 failed\n {2}crossEntropyGradient: [^]*Counterexample: /);
  });
});
