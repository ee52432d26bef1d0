import { describe, it } from 'vitest';
import { kernelConformance } from '../../../src/testing/conformance.js';
import { kernelsUnderTest } from '../../support/kernels.js';

// Every kernel against its float64 reference, its edge cases, its refusals and the LSTMP it runs:
// lstmp/testing's conformance checks (src/testing/conformance.ts), on each of lstmp's kernel sets.
describe.each(kernelsUnderTest)('$name kernels: kernelConformance', (kernels) => {
  it.each(kernelConformance(kernels))('$name', ({ run }) => run());
});
