/*
 * Lane-wise exp, the logistic function and tanh, written against the SIMD
 * vocabulary (vector-<isa>.h); the same algorithms as the wasm kernels'
 * simd-math.ts, so the two sets agree to a few ulps:
 *
 * exp is Cephes' expf: x = n·ln 2 + r with |r| ≤ ln 2 / 2, a degree-7
 * polynomial for e^r, 2^n built in the exponent bits; inputs clamped to
 * [−87.34, 88] (a NaN stays NaN). tanh is Cephes' tanhf: an odd polynomial
 * for |x| < 0.625, where 1 − 2 / (e^2x + 1) would lose digits to
 * cancellation, that formula beyond.
 */
static inline vf vf_exp(vf x) {
  /* vf_max(bound, x) and vf_min(bound, x) return x when it is NaN */
  x = vf_min(vf_set1(88.0f), vf_max(vf_set1(-87.33654f), x));
  vf n = vf_nearest(vf_mul(x, vf_set1(1.44269504088896341f)));
  /* r = x − n·ln 2, ln 2 split in two so n·0.693359375 is exact */
  vf r = vf_fnma(n, vf_set1(0.693359375f), x);
  r = vf_fnma(n, vf_set1(-2.12194440e-4f), r);
  vf y = vf_set1(1.9875691500e-4f);
  y = vf_fma(y, r, vf_set1(1.3981999507e-3f));
  y = vf_fma(y, r, vf_set1(8.3334519073e-3f));
  y = vf_fma(y, r, vf_set1(4.1665795894e-2f));
  y = vf_fma(y, r, vf_set1(1.6666665459e-1f));
  y = vf_fma(y, r, vf_set1(5.0000001201e-1f));
  y = vf_add(vf_fma(y, vf_mul(r, r), r), vf_set1(1.0f));
  return vf_mul(y, vf_pow2(n));
}

static inline vf vf_sigmoid(vf x) {
  vf one = vf_set1(1.0f);
  return vf_div(one, vf_add(one, vf_exp(vf_neg(x))));
}

static inline vf vf_tanh(vf x) {
  vf z = vf_mul(x, x);
  vf p = vf_set1(-5.70498872745e-3f);
  p = vf_fma(p, z, vf_set1(2.06390887954e-2f));
  p = vf_fma(p, z, vf_set1(-5.37397155531e-2f));
  p = vf_fma(p, z, vf_set1(1.33314422036e-1f));
  p = vf_fma(p, z, vf_set1(-3.33332819422e-1f));
  vf small = vf_fma(vf_mul(x, z), p, x);
  vf large = vf_sub(vf_set1(1.0f), vf_div(vf_set1(2.0f), vf_add(vf_exp(vf_add(x, x)), vf_set1(1.0f))));
  return vf_select(vf_lt(vf_abs(x), vf_set1(0.625f)), small, large);
}
