/*
 * The SIMD vocabulary the kernel templates (sgemm.h, elementwise.h, peak.h)
 * are written in, for AVX2 with FMA: 8 float lanes. Only the instantiation
 * unit avx2.c includes it, and only that file is compiled with -mavx2 -mfma,
 * so nothing here runs before cpu.c has seen the CPU has both.
 */
#ifndef LSTMP_VECTOR_AVX2_H
#define LSTMP_VECTOR_AVX2_H
#include <immintrin.h>
#include <stdint.h>

#define ISA(name) name##_avx2
#define VL 8

typedef __m256 vf;
typedef __m256i vi;

/* Lanes [0, n) set: the mask AVX2's maskload/maskstore want (they never touch masked-out lanes' memory). */
static const int32_t lstmp_lane_masks[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
static inline vi vf_mask(int n) { return _mm256_loadu_si256((const __m256i *)(lstmp_lane_masks + 8 - n)); }

/* v with lanes n and up zeroed */
static inline vf vf_keep(vf v, int n) { return n >= VL ? v : _mm256_and_ps(v, _mm256_castsi256_ps(vf_mask(n))); }
static inline vf vf_zero(void) { return _mm256_setzero_ps(); }
static inline vf vf_set1(float x) { return _mm256_set1_ps(x); }
static inline vf vf_load(const float *p) { return _mm256_loadu_ps(p); }
static inline vf vf_load_n(const float *p, int n) { return _mm256_maskload_ps(p, vf_mask(n)); }
static inline void vf_store(float *p, vf v) { _mm256_storeu_ps(p, v); }
static inline void vf_store_n(float *p, vf v, int n) { _mm256_maskstore_ps(p, vf_mask(n), v); }
static inline vf vf_bcast(const float *p) { return _mm256_broadcast_ss(p); }
static inline vf vf_add(vf a, vf b) { return _mm256_add_ps(a, b); }
static inline vf vf_sub(vf a, vf b) { return _mm256_sub_ps(a, b); }
static inline vf vf_mul(vf a, vf b) { return _mm256_mul_ps(a, b); }
static inline vf vf_div(vf a, vf b) { return _mm256_div_ps(a, b); }
/* a·b + c, one rounding */
static inline vf vf_fma(vf a, vf b, vf c) { return _mm256_fmadd_ps(a, b, c); }
/* c − a·b, one rounding */
static inline vf vf_fnma(vf a, vf b, vf c) { return _mm256_fnmadd_ps(a, b, c); }
/* a > b ? a : b, and b when either is NaN (x86 MAXPS): vf_max(bound, x) keeps a NaN x. */
static inline vf vf_max(vf a, vf b) { return _mm256_max_ps(a, b); }
static inline vf vf_min(vf a, vf b) { return _mm256_min_ps(a, b); }
static inline vf vf_abs(vf a) { return _mm256_and_ps(a, _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff))); }
static inline vf vf_neg(vf a) { return _mm256_xor_ps(a, _mm256_castsi256_ps(_mm256_set1_epi32((int)0x80000000u))); }
static inline vf vf_nearest(vf a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
/* 2^n for integral n in [−126, 127], built in the exponent bits. */
static inline vf vf_pow2(vf n) {
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_cvttps_epi32(n), _mm256_set1_epi32(127)), 23));
}

typedef __m256 vmask;
static inline vmask vf_lt(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
/* a ≠ b, true when either is NaN */
static inline vmask vf_ne(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_NEQ_UQ); }
/* where ? a : b */
static inline vf vf_select(vmask where, vf a, vf b) { return _mm256_blendv_ps(b, a, where); }
/* Whether any lane is ±Infinity or NaN (all exponent bits set). */
static inline int vf_any_nonfinite(vf x) {
  const vi exponent = _mm256_set1_epi32(0x7f800000);
  vi e = _mm256_and_si256(_mm256_castps_si256(x), exponent);
  return !_mm256_testz_si256(_mm256_cmpeq_epi32(e, exponent), _mm256_set1_epi32(-1));
}

/* The lane sums of a[0..7] as one 8-float vector, sum i in lane i: three levels of hadd and one fold of the halves. */
static inline __m256 vf_sums8(vf a0, vf a1, vf a2, vf a3, vf a4, vf a5, vf a6, vf a7) {
  __m256 t0 = _mm256_hadd_ps(a0, a1), t1 = _mm256_hadd_ps(a2, a3), t2 = _mm256_hadd_ps(a4, a5), t3 = _mm256_hadd_ps(a6, a7);
  __m256 u0 = _mm256_hadd_ps(t0, t1), u1 = _mm256_hadd_ps(t2, t3);
  /* u0 = [s0 s1 s2 s3 | s0' s1' s2' s3'] (low and high halves' partial sums), likewise u1 for s4..s7 */
  return _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20), _mm256_permute2f128_ps(u0, u1, 0x31));
}

static inline float vf_sum(vf v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}
/* One bit per lane where a == b (ordered: NaN equals nothing). */
static inline unsigned vf_eq_bits(vf a, vf b) { return (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(a, b, _CMP_EQ_OQ)); }
static inline float vf_hmax(vf v) {
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

#endif
