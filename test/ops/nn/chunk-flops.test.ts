import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { layoutOf } from '../../../src/model/network/layout.js';
import { portableKernels } from '../../../src/ops/kernels/portable/portable-kernels.js';
import type { Kernels } from '../../../src/ops/kernels/kernels.js';
import { chunkFlops } from '../../../src/ops/nn/chunk-flops.js';
import { lstmpSpec } from '../../../src/testing/arbitraries.js';
import { runBackward } from '../../../src/testing/network.js';

describe('chunkFlops', () => {
  it('is 2·m·n·k summed over every sgemm that forward and backward make on a chunk', () => {
    fc.assert(
      fc.property(lstmpSpec({ maxLayers: 3, maxCells: 5, maxProjection: 3 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 }), (spec, steps, streams) => {
        let counted = 0;
        const counting: Kernels = {
          ...portableKernels,
          sgemm: (...args: Parameters<Kernels['sgemm']>) => {
            const [, , m, n, k] = args;
            counted += 2 * m * n * k;
            portableKernels.sgemm(...args);
          },
        };
        const frames = steps * streams;
        runBackward(counting, spec, new Float32Array(layoutOf(spec).size), {
          steps,
          streams,
          x: new Float32Array(frames * spec.inputs),
          targets: new Int32Array(frames),
          mask: new Float32Array(frames).fill(1),
        });
        expect(chunkFlops(spec, steps, streams)).toBe(counted);
      }),
      { numRuns: 200 },
    );
  });

  it('is 78.4 MFLOP per frame for the paper’s network at B = 4 × T = 20', () => {
    const paper = { inputs: 40, cells: 800, projection: 512, layers: 2, outputs: 14247, cellClip: 50, peepholes: true };
    expect(chunkFlops(paper, 20, 4) / 80 / 1e6).toBeCloseTo(78.4, 1);
  });
});
