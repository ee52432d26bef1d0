import { describe, it } from 'vitest';
import { kernelConformance } from '../../../src/testing/conformance.js';
import { kernelsUnderTest, nativeSkipped } from '../../support/kernels.js';

// Every kernel against its float64 reference, its edge cases, its refusals and the LSTMP it runs:
// lstmp/testing's conformance checks (src/testing/conformance.ts), on each of lstmp's kernel sets.
describe.each(kernelsUnderTest)('$name kernels: kernelConformance', (kernels) => {
  it.each(kernelConformance(kernels))('$name', ({ run }) => run());
});

// Said in the output, not silently left out: a clone without a C compiler runs everything else.
if (nativeSkipped !== null) it.skip(`native kernels: kernelConformance skipped, ${nativeSkipped}`, () => {});
