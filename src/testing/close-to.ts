/**
 * How far an element may be from what it should be: a number is an absolute
 * bound; an object sums its parts (absolute + relative · |expected| + ulps ·
 * the float32 spacing at expected); a function gives each element's bound.
 */
export type Tolerance =
  | number
  | { readonly absolute?: number; readonly relative?: number; readonly ulps?: number }
  | ((expected: number, index: number) => number);

/** One element compared: where it is, both values, and how far apart they are. */
export interface Discrepancy {
  readonly index: number;
  readonly actual: number;
  readonly expected: number;
  /** |actual − expected| */
  readonly error: number;
  /** the bound the tolerance gave this element */
  readonly allowed: number;
  /** the error in units of the float32 spacing at `expected` (float32's last place) */
  readonly ulps: number;
  /** the error over |expected| (Infinity when expected is 0 and the error is not) */
  readonly relativeError: number;
}

/**
 * Compares two arrays element by element and throws unless every element of
 * `actual` is within `tolerance` of `expected`. An element also passes when
 * it is `expected` itself or its float32 rounding (so NaN matches NaN, and a
 * float32 result may be the correctly rounded float64 one, Infinity
 * included). The error names the worst element (the largest error for its
 * bound): its index, both values, its ulps and relative error, and how many
 * elements failed. Returns the worst element, so a test can also see how
 * close to its bound a passing comparison came.
 *
 * @example
 * closeTo(Float32Array.of(0.1, 0.2), [0.1, 0.2], { relative: 1e-7 }, 'probabilities');
 * // passes: each is the float32 rounding of its float64 value
 * closeTo([1, 2.5], [1, 2], 0.1);
 * // throws: "element[1] = 2.5, want 2 ± 0.1 (error 0.5, 2097152 ulps, relative error 0.25); 1 of 2 elements outside their bound"
 */
export function closeTo(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: Tolerance, label = 'element'): Discrepancy {
  if (actual.length !== expected.length) throw new Error(`${label}: ${actual.length} values, want ${expected.length}`);
  const bound = boundOf(tolerance);
  let worst: Discrepancy | null = null;
  let worstRatio = -1;
  let failed = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const allowed = bound(e, i);
    const exact = Object.is(a, e) || Object.is(a, Math.fround(e));
    const error = exact ? 0 : Math.abs(a - e);
    if (!(error <= allowed)) failed++;
    const ratio = shareOfBound(error, allowed);
    if (ratio > worstRatio) {
      worstRatio = ratio;
      worst = { index: i, actual: a, expected: e, error, allowed, ulps: error / ulpOf(e), relativeError: error === 0 ? 0 : error / Math.abs(e) };
    }
  }
  if (worst === null) return { index: -1, actual: NaN, expected: NaN, error: 0, allowed: 0, ulps: 0, relativeError: 0 };
  if (failed > 0) throw new Error(`${describeDiscrepancy(worst, label)}; ${failed} of ${expected.length} elements outside their bound`);
  return worst;
}

/** "label[i] = actual, want expected ± allowed (error, ulps, relative error)". */
export function describeDiscrepancy(d: Discrepancy, label = 'element'): string {
  return `${label}[${d.index}] = ${d.actual}, want ${d.expected} ± ${d.allowed} (error ${d.error}, ${d.ulps} ulps, relative error ${d.relativeError})`;
}

/**
 * How much of its bound an error uses: at most 1 when it passes; a NaN error,
 * or any error where none is allowed, fails worst (Infinity).
 */
export function shareOfBound(error: number, allowed: number): number {
  return error <= allowed ? error / allowed || 0 : error / allowed || Infinity;
}

/**
 * The spacing of float32 numbers at x: the value of its last place (2⁻¹⁴⁹
 * below the normal range, NaN where x is not finite as a float32).
 */
export function ulpOf(x: number): number {
  const f = Math.abs(Math.fround(x));
  if (!Number.isFinite(f)) return NaN;
  if (f < 2 ** -126) return 2 ** -149;
  return 2 ** (Math.floor(Math.log2(f)) - 23);
}

function boundOf(tolerance: Tolerance): (expected: number, index: number) => number {
  if (typeof tolerance === 'function') return tolerance;
  if (typeof tolerance === 'number') return () => tolerance;
  const { absolute = 0, relative = 0, ulps = 0 } = tolerance;
  return (e) => absolute + relative * Math.abs(e) + (ulps === 0 ? 0 : ulps * ulpOf(e));
}
