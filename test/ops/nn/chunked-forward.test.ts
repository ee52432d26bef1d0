import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { layoutOf, viewsOf } from '../../../src/model/network/layout.js';
import { chunkedForward } from '../../../src/ops/nn/chunked-forward.js';
import { workspaceFloats, workspaceIn, type LstmpSpec } from '../../../src/ops/nn/lstmp.js';
import { createWasmKernels } from '../../../src/ops/kernels/wasm/wasm-kernels.js';
import { lstmpSpec } from '../../../src/testing/arbitraries.js';
import { closeTo } from '../../../src/testing/close-to.js';
import { runForward } from '../../../src/testing/network.js';
import { kernelsUnderTest } from '../../support/kernels.js';

const caseArbitrary = lstmpSpec({ maxLayers: 2, minOutputs: 1, cellClip: fc.constantFrom(50, 0.5) }).chain((spec: LstmpSpec) =>
  fc.record({ steps: fc.integer({ min: 0, max: 40 }), chunkSteps: fc.integer({ min: 1, max: 50 }) }).chain(({ steps, chunkSteps }) =>
    fc.record({
      spec: fc.constant(spec),
      steps: fc.constant(steps),
      chunkSteps: fc.constant(chunkSteps),
      params: fc.float32Array({ minLength: layoutOf(spec).size, maxLength: layoutOf(spec).size, min: -1, max: 1, noNaN: true }),
      x: fc.float32Array({ minLength: steps * spec.inputs, maxLength: steps * spec.inputs, min: -2, max: 2, noNaN: true }),
    }),
  ),
);

describe.each(kernelsUnderTest)('chunkedForward ($name kernels)', (kernels) => {
  it('equals one forward pass over the whole utterance, whatever the chunk size', () => {
    fc.assert(
      fc.property(caseArbitrary, ({ spec, steps, chunkSteps, params, x }) => {
        const chunked = chunkedForward(kernels, spec, viewsOf(spec, params), x, steps, chunkSteps);
        const whole = runForward(kernels, spec, params, {
          steps,
          streams: 1,
          x,
          targets: new Int32Array(steps),
          mask: new Float32Array(steps),
        }).logp;
        // The same values (a zero's sign aside: with one output log p = x − log Z is 0 or −0 as the product gives x).
        // The native set picks its sgemm path by the rows of A (dot products below 16, packed panels from 16), so
        // chunks and the whole may round their products differently: there they agree to 1e-5 of the largest value.
        if (kernels.name.startsWith('native')) closeTo(chunked, whole, { absolute: 1e-5 * Math.max(1e-30, ...Array.from(whole, Math.abs)) }, 'log p');
        else expect(Array.from(chunked, (v) => v + 0)).toEqual(Array.from(whole, (v) => v + 0));
      }),
      { numRuns: 150 },
    );
  });
});

describe('chunkedForward’s activations', () => {
  const spec: LstmpSpec = { inputs: 5, cells: 6, projection: 3, layers: 2, outputs: 4, cellClip: 50, peepholes: true };

  it('live in one pool of the kernels’ memory, the same region for every utterance, however long', () => {
    // Big enough that a pool per length (64 of them, 6 KB a step) would outgrow the memory's first 2 MB.
    const big: LstmpSpec = { inputs: 40, cells: 64, projection: 32, layers: 2, outputs: 50, cellClip: 50, peepholes: true };
    const kernels = createWasmKernels();
    const params = kernels.alloc(layoutOf(big).size).fill(0.01);
    const run = (steps: number) => chunkedForward(kernels, big, viewsOf(big, params), new Float32Array(steps * big.inputs).fill(0.5), steps, 64);
    run(7);
    const reserved = kernels.memory.buffer.byteLength;
    // Lengths shorter than, equal to and past a chunk, and every remainder.
    for (let steps = 1; steps <= 130; steps++) run(steps);
    expect(kernels.memory.buffer.byteLength).toBe(reserved);
  });

  it('are views of the pool, zeroed, each on a 64-byte line, and a pool too small is refused', () => {
    const floats = workspaceFloats(spec, 10, 2);
    const pool = new Float32Array(floats).fill(7);
    const ws = workspaceIn(spec, 10, 2, pool);
    for (const array of [ws.logp, ws.dGates, ws.layers[0].gates, ws.layers[1].r]) {
      expect(array.buffer).toBe(pool.buffer);
      expect((array.byteOffset - pool.byteOffset) % 64).toBe(0);
    }
    expect(ws.layers[1].c.every((v) => v === 0)).toBe(true);
    expect(ws.ones.every((v) => v === 1)).toBe(true);
    // A shorter chunk fits in the same pool.
    expect(workspaceIn(spec, 3, 2, pool).steps).toBe(3);
    expect(() => workspaceIn(spec, 10, 2, new Float32Array(floats - 1))).toThrow(/the pool has/);
  });
});
