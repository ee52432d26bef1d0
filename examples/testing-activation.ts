/**
 * Example: property-testing an activation of your own with `gradcheck`.
 *
 *     npx tsx examples/testing-activation.ts
 *
 * Swish (x·σ(x), also called SiLU), written as lstmp writes its kernels: in
 * place over a Float32Array, forward and backward. fast-check draws inputs of
 * any length and scale; the forward pass is held to a float64 reference
 * with `closeTo`, the backward pass to float64 central differences of a loss
 * built on the forward pass with `gradcheck`. Either throws, with the
 * counterexample fast-check shrank to, when the activation is wrong.
 */
import fc from 'fast-check';
import { closeTo, gradcheck, type GradientDiscrepancy } from '../src/testing/index.js';
import { runStandalone } from './run.js';

/** y = x·σ(x), in place. */
export function swish(x: Float32Array): void {
  for (let i = 0; i < x.length; i++) x[i] = x[i] / (1 + Math.exp(-x[i]));
}

/** ∂L/∂x from ∂L/∂y (in `dy`, replaced) and the input x: σ(x)·(1 + x·(1 − σ(x))). */
export function swishBackward(x: Float32Array, dy: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const s = 1 / (1 + Math.exp(-x[i]));
    dy[i] *= s * (1 + x[i] * (1 - s));
  }
}

export interface ActivationReport {
  readonly runs: number;
  /** the parameter that came closest to its bound over all runs */
  readonly worst: GradientDiscrepancy;
}

/** Runs both properties (`runs` each) on an activation and its backward pass; throws at the first failure. */
export function main({ forward = swish, backward = swishBackward, runs = 200 } = {}): ActivationReport {
  const inputs = fc.float32Array({ minLength: 1, maxLength: 40, min: -20, max: 20, noNaN: true });
  const weights = (length: number) => fc.float32Array({ minLength: length, maxLength: length, min: -1, max: 1, noNaN: true });
  // The report then holds what closeTo or gradcheck threw, not only the counterexample, under any runner.
  const parameters = { numRuns: runs, includeErrorInReport: true };

  fc.assert(
    fc.property(inputs, (x) => {
      const y = x.slice();
      forward(y);
      // float32 rounding of x / (1 + e^−x): a few ulps
      closeTo(y, Array.from(x, (v) => v / (1 + Math.exp(-v))), { ulps: 4, absolute: 1e-30 }, 'swish(x)');
    }),
    parameters,
  );

  let worst: GradientDiscrepancy = { index: -1, analytic: NaN, numeric: NaN, error: 0, allowed: 0 };
  fc.assert(
    fc.property(inputs.chain((x) => fc.tuple(fc.constant(x), weights(x.length))), ([x, w]) => {
      // L = Σ w·swish(x), so ∂L/∂y = w
      const loss = (p: Float32Array) => {
        const y = p.slice();
        forward(y);
        return y.reduce((sum, v, i) => sum + w[i] * v, 0);
      };
      const dx = w.slice();
      backward(x, dx);
      const result = gradcheck(loss, x, dx, { step: 1e-2, tolerance: { absolute: 1e-4, relative: 1e-2 } });
      if (result.worst.error / result.worst.allowed > worst.error / worst.allowed || worst.index < 0) worst = result.worst;
    }),
    parameters,
  );
  return { runs, worst };
}

runStandalone(
  import.meta.url,
  () => main(),
  ({ runs, worst }) => `swish passed ${runs} forward and ${runs} gradient runs; closest to its bound: ∂L/∂x[${worst.index}] ${worst.analytic} against ${worst.numeric} (error ${worst.error.toExponential(2)} of ${worst.allowed.toExponential(2)} allowed)`,
);
