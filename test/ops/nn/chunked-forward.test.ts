import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { layoutOf, viewsOf } from '../../../src/model/network/layout.js';
import { chunkedForward } from '../../../src/ops/nn/chunked-forward.js';
import type { LstmpSpec } from '../../../src/ops/nn/lstmp.js';
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
