import { mulberry32 } from '../ops/random.js';
import { shareOfBound } from './close-to.js';

/** Parameters a loss reads: float32 as kernels keep them, or float64. */
export type Parameters = Float32Array | Float64Array;

export interface GradcheckOptions {
  /**
   * The finite-difference step h. Default: 1e-2 for float32 parameters (a
   * float32 loss rounds to about 1e-7 of itself, so smaller steps drown in
   * its rounding), 1e-6 for float64.
   */
  readonly step?: number;
  /**
   * A parameter passes when |analytic − numeric| ≤ absolute + relative ·
   * |numeric|. Default: 2e-4 and 1e-2 for float32 parameters (what the
   * LSTMP's float32 forward pass allows with h = 1e-2, measured on random
   * networks), 1e-7 and 1e-5 for float64.
   */
  readonly tolerance?: { readonly absolute: number; readonly relative: number };
  /** Check only these parameters. */
  readonly indices?: readonly number[];
  /** Check this many parameters, drawn without replacement from `seed` (ignored with `indices`). */
  readonly sample?: number;
  /** The seed of `sample`'s draw: the same seed checks the same parameters. Default 1. */
  readonly seed?: number;
}

/** One parameter's two derivatives. */
export interface GradientDiscrepancy {
  readonly index: number;
  readonly analytic: number;
  readonly numeric: number;
  /** |analytic − numeric| */
  readonly error: number;
  /** the bound the tolerance gave this parameter */
  readonly allowed: number;
}

export interface GradcheckResult {
  /** how many parameters were checked */
  readonly checked: number;
  /** the parameter whose error came closest to (or furthest past) its bound; index −1 when none was checked */
  readonly worst: GradientDiscrepancy;
}

/**
 * ∂loss/∂params[i] by central differences, in float64, for each checked i
 * (NaN elsewhere): (loss(p + h) − loss(p − h)) / (p⁺ − p⁻), where p⁺ and p⁻
 * are the values actually stored (float32 parameters round them, so the
 * divisor is what the loss saw). Each probe changes one element of `params`
 * in place and puts it back before the next, so `loss` may read `params`
 * directly but must not keep what it reads.
 *
 * @example
 * // d/dx Σ x² = 2x
 * numericGradient((p) => p.reduce((s, x) => s + x * x, 0), Float64Array.of(1, -3), { step: 1e-6 }); // ≈ [2, −6]
 */
export function numericGradient<P extends Parameters>(loss: (params: P) => number, params: P, options: Pick<GradcheckOptions, 'step' | 'indices' | 'sample' | 'seed'> = {}): Float64Array {
  const step = options.step ?? defaultsFor(params).step;
  const numeric = new Float64Array(params.length).fill(NaN);
  for (const i of indicesOf(params.length, options)) numeric[i] = centralDifference(loss, params, i, step);
  return numeric;
}

function centralDifference<P extends Parameters>(loss: (params: P) => number, params: P, i: number, step: number): number {
  const original = params[i];
  params[i] = original + step;
  const up = params[i];
  const lossUp = loss(params);
  params[i] = original - step;
  const down = params[i];
  const lossDown = loss(params);
  params[i] = original;
  return (lossUp - lossDown) / (up - down);
}

/**
 * Checks an analytic gradient against float64 central differences of the
 * loss (see {@link numericGradient}) and throws unless every checked
 * parameter is within tolerance. The error names the worst parameter: its
 * index, both derivatives, the error and its bound, and how many failed.
 * Returns the worst parameter, so a test can also see how close to its bound
 * a passing check came.
 *
 * The loss may be anything computed from the parameters, on any kernel set:
 * a network's summed cross entropy, or a custom activation's output against
 * fixed weights.
 *
 * @example
 * const params = Float32Array.of(0.5, -1, 2);
 * const softplus = (p: Float32Array) => p.reduce((s, x) => s + Math.log1p(Math.exp(x)), 0);
 * gradcheck(softplus, params, params.map((x) => 1 / (1 + Math.exp(-x)))); // passes: σ is softplus's derivative
 */
export function gradcheck<P extends Parameters>(loss: (params: P) => number, params: P, gradient: ArrayLike<number>, options: GradcheckOptions = {}): GradcheckResult {
  if (gradient.length !== params.length) throw new Error(`gradcheck: a gradient of ${gradient.length} values for ${params.length} parameters`);
  const defaults = defaultsFor(params);
  const { absolute, relative } = options.tolerance ?? defaults.tolerance;
  const step = options.step ?? defaults.step;
  const indices = indicesOf(params.length, options);
  let worst: GradientDiscrepancy = { index: -1, analytic: NaN, numeric: NaN, error: 0, allowed: 0 };
  let worstRatio = -1;
  let failed = 0;
  for (const i of indices) {
    const numeric = centralDifference(loss, params, i, step);
    const error = Math.abs(gradient[i] - numeric);
    const allowed = absolute + relative * Math.abs(numeric);
    if (!(error <= allowed)) failed++;
    const ratio = shareOfBound(error, allowed);
    if (ratio > worstRatio) {
      worstRatio = ratio;
      worst = { index: i, analytic: gradient[i], numeric, error, allowed };
    }
  }
  if (failed > 0) {
    throw new Error(
      `gradcheck: parameter ${worst.index}: analytic ${worst.analytic}, numeric ${worst.numeric} (error ${worst.error}, allowed ${worst.allowed}); ${failed} of ${indices.length} checked parameters outside their bound`,
    );
  }
  return { checked: indices.length, worst };
}

function defaultsFor(params: Parameters) {
  return params instanceof Float64Array ? { step: 1e-6, tolerance: { absolute: 1e-7, relative: 1e-5 } } : { step: 1e-2, tolerance: { absolute: 2e-4, relative: 1e-2 } };
}

/** The parameters to check: the given indices, a seeded sample, or all. */
function indicesOf(length: number, options: Pick<GradcheckOptions, 'indices' | 'sample' | 'seed'>): readonly number[] {
  if (options.indices) {
    for (const i of options.indices) if (!Number.isInteger(i) || i < 0 || i >= length) throw new RangeError(`gradcheck: index ${i} is not one of ${length} parameters`);
    return options.indices;
  }
  const all = Array.from({ length }, (_, i) => i);
  if (options.sample === undefined || options.sample >= length) return all;
  // A partial Fisher–Yates shuffle: the first `sample` places are a uniform draw without replacement.
  const random = mulberry32(options.seed ?? 1);
  for (let i = 0; i < options.sample; i++) {
    const j = i + Math.floor(random() * (length - i));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, options.sample);
}
