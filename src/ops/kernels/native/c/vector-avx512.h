/*
 * The SIMD vocabulary of the kernel templates for AVX-512F: 16 float lanes,
 * tails by mask registers. Only avx512.c includes it and only that file is
 * compiled with -mavx512f, so nothing here runs before cpu.c has seen the
 * CPU (and the OS) support it.
 */
#ifndef LSTMP_VECTOR_AVX512_H
#define LSTMP_VECTOR_AVX512_H
#include <immintrin.h>
#include <stdint.h>

#define ISA(name) name##_avx512
#define VL 16

typedef __m512 vf;

static inline __mmask16 vf_mask(int n) { return (__mmask16)((1u << n) - 1u); }

/* v with lanes n and up zeroed */
static inline vf vf_keep(vf v, int n) { return n >= VL ? v : _mm512_maskz_mov_ps(vf_mask(n), v); }
static inline vf vf_zero(void) { return _mm512_setzero_ps(); }
static inline vf vf_set1(float x) { return _mm512_set1_ps(x); }
static inline vf vf_load(const float *p) { return _mm512_loadu_ps(p); }
static inline vf vf_load_n(const float *p, int n) { return _mm512_maskz_loadu_ps(vf_mask(n), p); }
static inline void vf_store(float *p, vf v) { _mm512_storeu_ps(p, v); }
static inline void vf_store_n(float *p, vf v, int n) { _mm512_mask_storeu_ps(p, vf_mask(n), v); }
static inline vf vf_bcast(const float *p) { return _mm512_set1_ps(*p); }
static inline vf vf_add(vf a, vf b) { return _mm512_add_ps(a, b); }
static inline vf vf_sub(vf a, vf b) { return _mm512_sub_ps(a, b); }
static inline vf vf_mul(vf a, vf b) { return _mm512_mul_ps(a, b); }
static inline vf vf_div(vf a, vf b) { return _mm512_div_ps(a, b); }
static inline vf vf_fma(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }
static inline vf vf_fnma(vf a, vf b, vf c) { return _mm512_fnmadd_ps(a, b, c); }
/* As MAXPS: b when either is NaN, so vf_max(bound, x) keeps a NaN x. */
static inline vf vf_max(vf a, vf b) { return _mm512_max_ps(a, b); }
static inline vf vf_min(vf a, vf b) { return _mm512_min_ps(a, b); }
static inline vf vf_abs(vf a) { return _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(a), _mm512_set1_epi32(0x7fffffff))); }
static inline vf vf_neg(vf a) { return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(a), _mm512_set1_epi32((int)0x80000000u))); }
static inline vf vf_nearest(vf a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
static inline vf vf_pow2(vf n) {
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(_mm512_cvttps_epi32(n), _mm512_set1_epi32(127)), 23));
}

typedef __mmask16 vmask;
static inline vmask vf_lt(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
static inline vmask vf_ne(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_NEQ_UQ); }
static inline vf vf_select(vmask where, vf a, vf b) { return _mm512_mask_blend_ps(where, b, a); }
static inline int vf_any_nonfinite(vf x) {
  const __m512i exponent = _mm512_set1_epi32(0x7f800000);
  return _mm512_cmpeq_epi32_mask(_mm512_and_si512(_mm512_castps_si512(x), exponent), exponent) != 0;
}

static inline __m256 fold256(vf v) { return _mm256_add_ps(_mm512_castps512_ps256(v), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1))); }

/* The lane sums of a[0..7] as one 8-float vector, sum i in lane i: each folded to 8 lanes, then three levels of hadd. */
static inline __m256 vf_sums8(vf a0, vf a1, vf a2, vf a3, vf a4, vf a5, vf a6, vf a7) {
  __m256 t0 = _mm256_hadd_ps(fold256(a0), fold256(a1)), t1 = _mm256_hadd_ps(fold256(a2), fold256(a3));
  __m256 t2 = _mm256_hadd_ps(fold256(a4), fold256(a5)), t3 = _mm256_hadd_ps(fold256(a6), fold256(a7));
  __m256 u0 = _mm256_hadd_ps(t0, t1), u1 = _mm256_hadd_ps(t2, t3);
  return _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20), _mm256_permute2f128_ps(u0, u1, 0x31));
}

static inline float vf_sum(vf v) {
  __m256 h = _mm256_add_ps(_mm512_castps512_ps256(v), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}
/* One bit per lane where a == b (ordered: NaN equals nothing). */
static inline unsigned vf_eq_bits(vf a, vf b) { return (unsigned)_mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
static inline float vf_hmax(vf v) {
  __m256 h = _mm256_max_ps(_mm512_castps512_ps256(v), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

#endif
