/*
 * SGEMM on row-major matrices, C = alpha·op(A)·op(B) + beta·C, written once
 * against the SIMD vocabulary of vector-<isa>.h and instantiated per ISA
 * (avx2.c, avx512.c). The unit defines before including it:
 *
 *   SG_MR, SG_NV   register tile of the packed kernel: MR rows × NV vectors
 *   SG_RS, SG_NVS  tile of the in-place kernel for few rows: RS rows × NVS vectors
 *   SG_DR, SG_DC   tile of the dot-product kernel: DR rows of A × DC rows of B
 *   SG_MC, SG_KC, SG_NC  cache blocks of the packed path (GotoBLAS / BLIS)
 *
 * Three paths, by shape (every product of an LSTMP step lands in one):
 *
 * - op(B) = Bᵀ (NT, TT): dot products along k. Both operands are contiguous
 *   in k, so nothing is packed (A only when it is stored transposed): a
 *   DR × DC tile of vector accumulators, reduced across lanes at the end.
 *   Packing Bᵀ for the outer-product kernel would transpose all of B on
 *   every call: for the recurrent product (4 rows) that costs more than the
 *   product itself. From 16 rows of A the transpose pays, whatever k (the
 *   output layer forward, 80 × 14247 × 512: 82 → 85 GFLOP/s on AVX-512, the
 *   layer-1 input forward on AVX2: 81–87 → 93–96), and those products take
 *   the packed path below.
 * - op(B) = B with m ≤ SG_RS·2 (the recurrent and projection products
 *   backward, the bias gradients): A broadcast in place, B rows read in
 *   place, one RS × NVS·VL tile over all of k. Each B element is used m
 *   times only, so packing it would cost as much as using it.
 * - op(B) = B otherwise (the output layer's and the gates' weight and input
 *   gradients): B packed in KC × NC blocks of NR-column panels, A in MC × KC
 *   blocks of MR-row panels (zero-padded), an MR × NR outer-product kernel
 *   (one broadcast of A times NV vectors of B per k step, MR·NV FMAs).
 *
 * beta = 0 never reads C (NaN there vanishes); later k blocks add (beta 1).
 * The kernels store only the rows and columns that exist; padded lanes of
 * the accumulators are never written back.
 */
#include <stddef.h>
#include <stdint.h>

#define SG_NR (SG_NV * VL)

_Static_assert(SG_MR <= VL, "an A panel's k step is one vector");
/* op(B) = Bᵀ goes to the packed path from this many rows of A */
#define SG_NT_PACKED_M 16
/*
 * B read in place by the packed path is copied a panel at a time, just
 * before its first tile, where a panel (KC × NR floats) is more than half
 * of a 32 KB L1: rows of B ldb apart (2 KB for the output layer's 512
 * columns) fall in a few cache sets, and AVX-512's 32-column panel then
 * misses L1 on every A panel that reuses it (output input gradient
 * 80 × 512 × 14247: 81 → 87 GFLOP/s). AVX2's 16-column panel fits, and
 * copying it only costs (90 → 85).
 */
#define SG_PANEL_JIT (SG_NR * SG_KC * 4 > 16384)

_Static_assert(SG_RS == 4 && SG_DR == 4, "direct_path and dot_path specialise row counts 1 to 4");
#define INLINE static inline __attribute__((always_inline))

typedef ptrdiff_t idx;

/* Lanes [0, n) of an 8-float vector set, for the dot kernel's row stores. */
static const int32_t lstmp_sgemm_lanes[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

_Static_assert(SG_DC <= 8, "the dot kernel writes a row of its tile as one 8-float vector");

/* Floats of packing scratch the packed and dot paths need. */
#define SG_PACK_A_FLOATS (((SG_MC + SG_MR - 1) / SG_MR) * SG_MR * SG_KC)
#define SG_PACK_B_FLOATS (((SG_NC + SG_NR - 1) / SG_NR) * SG_NR * SG_KC)

static inline idx min_idx(idx a, idx b) { return a < b ? a : b; }

/* n ≤ VL floats of C = alpha·acc + beta·C (beta0: C = alpha·acc, C unread). */
INLINE void store_vector(float *c, vf acc, vf alpha, vf beta, int beta0, int n) {
  vf v = vf_mul(acc, alpha);
  if (n >= VL) {
    if (!beta0) v = vf_fma(vf_load(c), beta, v);
    vf_store(c, v);
  } else {
    if (!beta0) v = vf_fma(vf_load_n(c, n), beta, v);
    vf_store_n(c, v, n);
  }
}

/*
 * The MR × NR kernel: A from a packed panel [kc][MR], B from a packed panel
 * [kc][NR] (ldbp = NR) or in place, rows ldbp apart, its last `cols` < NR
 * columns by masked loads (`partialB`); writes rows × cols of C.
 */
INLINE void tile_packed(int rows, int cols, idx kc, const float *restrict a, const float *restrict b, idx ldbp, int partialB, float *c, idx ldc, vf alpha, vf beta, int beta0) {
  vf acc[SG_MR][SG_NV];
#pragma GCC unroll 16
  for (int r = 0; r < SG_MR; r++)
#pragma GCC unroll 4
    for (int v = 0; v < SG_NV; v++) acc[r][v] = vf_zero();
  for (int r = 0; r < rows; r++) _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
  for (idx p = 0; p < kc; p++) {
    vf bv[SG_NV];
#pragma GCC unroll 4
    for (int v = 0; v < SG_NV; v++) {
      int left = cols - v * VL;
      bv[v] = !partialB ? vf_load(b + v * VL) : left <= 0 ? vf_zero() : left >= VL ? vf_load(b + v * VL) : vf_load_n(b + v * VL, left);
    }
#pragma GCC unroll 16
    for (int r = 0; r < SG_MR; r++) {
      vf av = vf_bcast(a + r);
#pragma GCC unroll 4
      for (int v = 0; v < SG_NV; v++) acc[r][v] = vf_fma(av, bv[v], acc[r][v]);
    }
    a += SG_MR;
    b += ldbp;
  }
  if (rows == SG_MR && cols == SG_NR) {
#pragma GCC unroll 16
    for (int r = 0; r < SG_MR; r++)
#pragma GCC unroll 4
      for (int v = 0; v < SG_NV; v++) store_vector(c + r * ldc + v * VL, acc[r][v], alpha, beta, beta0, VL);
    return;
  }
#pragma GCC unroll 16
  for (int r = 0; r < SG_MR; r++) {
    if (r >= rows) break;
#pragma GCC unroll 4
    for (int v = 0; v < SG_NV; v++) {
      int left = cols - v * VL;
      if (left <= 0) break;
      store_vector(c + r * ldc + v * VL, acc[r][v], alpha, beta, beta0, left);
    }
  }
}

/* Transposes the 8 × 8 block of rows s[0..7] (8 floats each) into d[0..7] (row q of d: column q of s). */
static inline void transpose8(const float *const s[8], float *const d[8]) {
  __m256 r0 = _mm256_loadu_ps(s[0]), r1 = _mm256_loadu_ps(s[1]), r2 = _mm256_loadu_ps(s[2]), r3 = _mm256_loadu_ps(s[3]);
  __m256 r4 = _mm256_loadu_ps(s[4]), r5 = _mm256_loadu_ps(s[5]), r6 = _mm256_loadu_ps(s[6]), r7 = _mm256_loadu_ps(s[7]);
  __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1), t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5), t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xee), u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xee);
  __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xee), u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xee);
  _mm256_storeu_ps(d[0], _mm256_permute2f128_ps(u0, u4, 0x20));
  _mm256_storeu_ps(d[1], _mm256_permute2f128_ps(u1, u5, 0x20));
  _mm256_storeu_ps(d[2], _mm256_permute2f128_ps(u2, u6, 0x20));
  _mm256_storeu_ps(d[3], _mm256_permute2f128_ps(u3, u7, 0x20));
  _mm256_storeu_ps(d[4], _mm256_permute2f128_ps(u0, u4, 0x31));
  _mm256_storeu_ps(d[5], _mm256_permute2f128_ps(u1, u5, 0x31));
  _mm256_storeu_ps(d[6], _mm256_permute2f128_ps(u2, u6, 0x31));
  _mm256_storeu_ps(d[7], _mm256_permute2f128_ps(u3, u7, 0x31));
}

/* A[i, p] at a + i·rsa + p·csa into MR-row panels [p][MR], rows past mc zero. */
static void pack_a(idx mc, idx kc, const float *a, idx rsa, idx csa, float *restrict dst) {
  for (idx i = 0; i < mc; i += SG_MR) {
    int rows = (int)min_idx(SG_MR, mc - i);
    const float *src = a + i * rsa;
    if (csa == 1 && rows == SG_MR && SG_MR == 8) {
      /* rows contiguous in k: 8 × 8 transposes */
      idx p = 0;
      for (; p + 8 <= kc; p += 8) {
        const float *from[8];
        float *to[8];
        for (int r = 0; r < 8; r++) {
          from[r] = src + r * rsa + p;
          to[r] = dst + (p + r) * SG_MR;
        }
        transpose8(from, to);
      }
      for (; p < kc; p++)
        for (int r = 0; r < SG_MR; r++) dst[p * SG_MR + r] = src[r * rsa + p];
    } else if (csa == 1 && rows == SG_MR) {
      /* rows contiguous in k: read each row once, VL columns at a time */
      idx p = 0;
      for (; p + VL <= kc; p += VL) {
        float block[SG_MR][VL];
#pragma GCC unroll 16
        for (int r = 0; r < SG_MR; r++) vf_store(block[r], vf_load(src + r * rsa + p));
        for (int q = 0; q < VL; q++)
#pragma GCC unroll 16
          for (int r = 0; r < SG_MR; r++) dst[(p + q) * SG_MR + r] = block[r][q];
      }
      for (; p < kc; p++)
        for (int r = 0; r < SG_MR; r++) dst[p * SG_MR + r] = src[r * rsa + p];
    } else if (rsa == 1) {
      /* A stored transposed: each k step is a contiguous run of MR (≤ VL), one masked vector, zeros past the rows */
      for (idx p = 0; p < kc; p++) vf_store_n(dst + p * SG_MR, vf_load_n(src + p * csa, rows), SG_MR);
    } else {
      for (idx p = 0; p < kc; p++)
        for (int r = 0; r < SG_MR; r++) dst[p * SG_MR + r] = r < rows ? src[r * rsa + p * csa] : 0;
    }
    dst += SG_MR * kc;
  }
}

/* B[p, j] at b + p·ldb + j into NR-column panels [p][NR], columns past nc zero. */
static void pack_b(idx kc, idx nc, const float *b, idx ldb, float *restrict dst) {
  for (idx j = 0; j < nc; j += SG_NR) {
    int cols = (int)min_idx(SG_NR, nc - j);
    const float *src = b + j;
    if (cols == SG_NR) {
      for (idx p = 0; p < kc; p++) {
#pragma GCC unroll 4
        for (int v = 0; v < SG_NV; v++) vf_store(dst + p * SG_NR + v * VL, vf_load(src + p * ldb + v * VL));
      }
    } else {
      for (idx p = 0; p < kc; p++) {
        for (int v = 0; v < SG_NV; v++) {
          int left = cols - v * VL;
          vf_store(dst + p * SG_NR + v * VL, left <= 0 ? vf_zero() : left >= VL ? vf_load(src + p * ldb + v * VL) : vf_load_n(src + p * ldb + v * VL, left));
        }
      }
    }
    dst += SG_NR * kc;
  }
}

/*
 * B stored transposed (B[p, j] at b + j·ldb + p: rows of B contiguous in p)
 * into the same NR-column panels as pack_b, 8 × 8 blocks at a time;
 * columns past nc zero.
 */
static void pack_b_transposed(idx kc, idx nc, const float *b, idx ldb, float *restrict dst) {
  static const float zeros[8] = {0};
  for (idx j = 0; j < nc; j += SG_NR) {
    idx p = 0;
    for (; p + 8 <= kc; p += 8) {
      for (int jj = 0; jj < SG_NR; jj += 8) {
        const float *s[8];
        float *d[8];
        for (int r = 0; r < 8; r++) {
          s[r] = j + jj + r < nc ? b + (j + jj + r) * ldb + p : zeros;
          d[r] = dst + (p + r) * SG_NR + jj;
        }
        transpose8(s, d);
      }
    }
    for (; p < kc; p++)
      for (int jj = 0; jj < SG_NR; jj++) dst[p * SG_NR + jj] = j + jj < nc ? b[(j + jj) * ldb + p] : 0.0f;
    dst += SG_NR * kc;
  }
}

/*
 * B[p, j] at b + p·ldb + j, or at b + j·ldb + p when transB. With one block
 * of A (m ≤ MC) and B as is, B is read in place: packing it would be a pass
 * over all of B for a block that few A panels reuse (for the output layer's
 * input gradient, 80 × 512 × 14247, a copy of 29 MB per call), through a
 * buffer bigger than L2's share. Where a panel outgrows L1 (SG_PANEL_JIT),
 * each panel is copied just before its tiles instead, into the first
 * panel of packB, still in L1 when the next A panel reads it.
 */
static void packed_path(idx m, idx n, idx k, float alpha, const float *a, idx rsa, idx csa, int transB, const float *b, idx ldb, float beta, float *c, idx ldc, float *packA, float *packB) {
  vf alphaV = vf_set1(alpha);
  int inPlaceB = !transB && m <= SG_MC;
  for (idx jc = 0; jc < n; jc += SG_NC) {
    idx nc = min_idx(SG_NC, n - jc);
    for (idx pc = 0; pc < k; pc += SG_KC) {
      idx kc = min_idx(SG_KC, k - pc);
      float betaBlock = pc == 0 ? beta : 1.0f;
      vf betaV = vf_set1(betaBlock);
      int beta0 = betaBlock == 0.0f;
      if (transB) pack_b_transposed(kc, nc, b + jc * ldb + pc, ldb, packB);
      else if (!inPlaceB) pack_b(kc, nc, b + pc * ldb + jc, ldb, packB);
      for (idx ic = 0; ic < m; ic += SG_MC) {
        idx mc = min_idx(SG_MC, m - ic);
        pack_a(mc, kc, a + ic * rsa + pc * csa, rsa, csa, packA);
        for (idx jr = 0; jr < nc; jr += SG_NR) {
          int cols = (int)min_idx(SG_NR, nc - jr);
          for (idx ir = 0; ir < mc; ir += SG_MR) {
            int rows = (int)min_idx(SG_MR, mc - ir);
            float *ct = c + (ic + ir) * ldc + jc + jr;
            const float *ap = packA + ir * kc;
            if (inPlaceB) {
#if SG_PANEL_JIT
              if (ir == 0) pack_b(kc, cols, b + pc * ldb + jc + jr, ldb, packB);
              if (rows == SG_MR && cols == SG_NR) tile_packed(SG_MR, SG_NR, kc, ap, packB, SG_NR, 0, ct, ldc, alphaV, betaV, beta0);
              else tile_packed(rows, cols, kc, ap, packB, SG_NR, 0, ct, ldc, alphaV, betaV, beta0);
#else
              const float *bp = b + pc * ldb + jc + jr;
              if (rows == SG_MR && cols == SG_NR) tile_packed(SG_MR, SG_NR, kc, ap, bp, ldb, 0, ct, ldc, alphaV, betaV, beta0);
              else tile_packed(rows, cols, kc, ap, bp, ldb, 1, ct, ldc, alphaV, betaV, beta0);
#endif
            } else {
              const float *bp = packB + jr * kc;
              if (rows == SG_MR && cols == SG_NR) tile_packed(SG_MR, SG_NR, kc, ap, bp, SG_NR, 0, ct, ldc, alphaV, betaV, beta0);
              else tile_packed(rows, cols, kc, ap, bp, SG_NR, 0, ct, ldc, alphaV, betaV, beta0);
            }
          }
        }
      }
    }
  }
}

/*
 * The in-place kernel for few rows: RS × NVS·VL of C over all of k, A[i, p]
 * broadcast from a + i·rsa + p·csa, B rows read from b + p·ldb. `last` is
 * how many lanes of the last of `nv` vectors exist (VL for a full strip).
 */
INLINE void tile_direct(int rows, int nv, int last, idx k, const float *a, idx rsa, idx csa, const float *b, idx ldb, float *c, idx ldc, vf alpha, vf beta, int beta0) {
  vf acc[SG_RS][SG_NVS];
#pragma GCC unroll 16
  for (int r = 0; r < SG_RS; r++)
#pragma GCC unroll 8
    for (int v = 0; v < SG_NVS; v++) acc[r][v] = vf_zero();
  for (idx p = 0; p < k; p++) {
    vf bv[SG_NVS];
    /*
     * The strip's lines 8 rows ahead: a strip of a row-major B is a few
     * lines every ldb floats, which the hardware prefetchers follow poorly
     * (AVX2's 24-float strips: the recurrent product backward 50 → 63
     * GFLOP/s with W_r from L3; AVX-512's 64-float strips gain nothing). A
     * prefetch past the end of B never faults.
     */
    for (int q = 0; q < SG_NVS * VL; q += 16) _mm_prefetch((const char *)(b + 8 * ldb + q), _MM_HINT_T0);
#pragma GCC unroll 8
    for (int v = 0; v < SG_NVS; v++) {
      bv[v] = v >= nv ? vf_zero() : v == nv - 1 && last < VL ? vf_load_n(b + v * VL, last) : vf_load(b + v * VL);
    }
#pragma GCC unroll 16
    for (int r = 0; r < SG_RS; r++) {
      if (r < rows) {
        vf av = vf_bcast(a + r * rsa);
#pragma GCC unroll 8
        for (int v = 0; v < SG_NVS; v++)
          if (v < nv) acc[r][v] = vf_fma(av, bv[v], acc[r][v]);
      }
    }
    a += csa;
    b += ldb;
  }
#pragma GCC unroll 16
  for (int r = 0; r < SG_RS; r++) {
    if (r >= rows) break;
#pragma GCC unroll 8
    for (int v = 0; v < SG_NVS; v++) {
      if (v >= nv) break;
      store_vector(c + r * ldc + v * VL, acc[r][v], alpha, beta, beta0, v == nv - 1 ? last : VL);
    }
  }
}

/*
 * k in blocks of KC, so that the B rows one strip reads are still in L2 when
 * the next strip reads the rest of their cache lines (without blocks, narrow
 * strips of a 512-column B ran at 2/3 of the speed of 64-column ones).
 */
static void direct_path(idx m, idx n, idx k, float alpha, const float *a, idx rsa, idx csa, const float *b, idx ldb, float beta, float *c, idx ldc) {
  vf alphaV = vf_set1(alpha);
  const idx strip = SG_NVS * VL;
  for (idx pc = 0; pc < k; pc += SG_KC) {
    idx kc = min_idx(SG_KC, k - pc);
    float betaBlock = pc == 0 ? beta : 1.0f;
    vf betaV = vf_set1(betaBlock);
    int beta0 = betaBlock == 0.0f;
    const float *bp = b + pc * ldb;
    for (idx i = 0; i < m; i += SG_RS) {
      int rows = (int)min_idx(SG_RS, m - i);
      const float *ai = a + i * rsa + pc * csa;
      float *ci = c + i * ldc;
      for (idx j = 0; j < n; j += strip) {
        if (j + strip <= n) {
          /* full strips: a kernel specialised for the row count */
#define SG_DIRECT(R) tile_direct(R, SG_NVS, VL, kc, ai, rsa, csa, bp + j, ldb, ci + j, ldc, alphaV, betaV, beta0)
          switch (rows) {
            case 1: SG_DIRECT(1); break;
            case 2: SG_DIRECT(2); break;
            case 3: SG_DIRECT(3); break;
            default: SG_DIRECT(4); break;
          }
#undef SG_DIRECT
        } else {
          idx left = n - j;
          int nv = (int)((left + VL - 1) / VL);
          tile_direct(rows, nv, (int)(left - (idx)(nv - 1) * VL), kc, ai, rsa, csa, bp + j, ldb, ci + j, ldc, alphaV, betaV, beta0);
        }
      }
    }
  }
}

/*
 * The dot-product kernel: C[i, j] (+)= alpha·Σ_p A[i, p]·B[j, p] for a
 * rows × cols tile (≤ DR × DC), A rows at a + i·lda, B rows at b + j·ldb,
 * both contiguous in p. The last k % VL go through masked loads, so nothing
 * past a row is read.
 */
INLINE void tile_dot(int rows, int cols, idx kc, const float *a, idx lda, const float *b, idx ldb, float *c, idx ldc, float alpha, float beta) {
  vf acc[SG_DR][SG_DC];
#pragma GCC unroll 8
  for (int r = 0; r < SG_DR; r++)
#pragma GCC unroll 8
    for (int j = 0; j < SG_DC; j++) acc[r][j] = vf_zero();
  idx p = 0;
  for (; p + VL <= kc; p += VL) {
    vf av[SG_DR], bv[SG_DC];
#pragma GCC unroll 8
    for (int j = 0; j < SG_DC; j++)
      bv[j] = j < cols ? vf_load(b + j * ldb + p) : vf_zero();
#pragma GCC unroll 8
    for (int r = 0; r < SG_DR; r++) {
      if (r < rows) {
        av[r] = vf_load(a + r * lda + p);
#pragma GCC unroll 8
        for (int j = 0; j < SG_DC; j++)
          if (j < cols) acc[r][j] = vf_fma(av[r], bv[j], acc[r][j]);
      }
    }
  }
  if (p < kc) {
    int n = (int)(kc - p);
    vf av[SG_DR], bv[SG_DC];
#pragma GCC unroll 8
    for (int j = 0; j < SG_DC; j++)
      bv[j] = j < cols ? vf_load_n(b + j * ldb + p, n) : vf_zero();
#pragma GCC unroll 8
    for (int r = 0; r < SG_DR; r++) {
      if (r < rows) {
        av[r] = vf_load_n(a + r * lda + p, n);
#pragma GCC unroll 8
        for (int j = 0; j < SG_DC; j++)
          if (j < cols) acc[r][j] = vf_fma(av[r], bv[j], acc[r][j]);
      }
    }
  }
  /* Each row's sums in one vector (lane j: column j), written as one masked vector of C. */
  const vf zero = vf_zero();
  const __m256 alpha8 = _mm256_set1_ps(alpha), beta8 = _mm256_set1_ps(beta);
  const __m256i lanes = _mm256_loadu_si256((const __m256i *)(lstmp_sgemm_lanes + 8 - cols));
#pragma GCC unroll 8
  for (int r = 0; r < SG_DR; r++) {
    if (r >= rows) break;
#define SG_ACC(j) (j < SG_DC && j < cols ? acc[r][j < SG_DC ? j : 0] : zero)
    __m256 s = _mm256_mul_ps(vf_sums8(SG_ACC(0), SG_ACC(1), SG_ACC(2), SG_ACC(3), SG_ACC(4), SG_ACC(5), SG_ACC(6), SG_ACC(7)), alpha8);
#undef SG_ACC
    float *t = c + r * ldc;
    if (beta != 0.0f) s = _mm256_fmadd_ps(_mm256_maskload_ps(t, lanes), beta8, s);
    _mm256_maskstore_ps(t, lanes, s);
  }
}

#define SG_KCD 1024
#define SG_NCD 64

static void dot_path(idx m, idx n, idx k, float alpha, const float *a, idx lda, const float *b, idx ldb, float beta, float *c, idx ldc) {
  for (idx pc = 0; pc < k; pc += SG_KCD) {
    idx kc = min_idx(SG_KCD, k - pc);
    float betaBlock = pc == 0 ? beta : 1.0f;
    for (idx jc = 0; jc < n; jc += SG_NCD) {
      idx jEnd = min_idx(n, jc + SG_NCD);
      for (idx i = 0; i < m; i += SG_DR) {
        int rows = (int)min_idx(SG_DR, m - i);
        const float *ai = a + i * lda + pc;
        const float *bp = b + pc;
        float *ci = c + i * ldc;
        idx j = jc;
#define SG_DOT(R, C) tile_dot(R, C, kc, ai, lda, bp + j * ldb, ldb, ci + j, ldc, alpha, betaBlock)
        for (; j + SG_DC <= jEnd; j += SG_DC) {
          switch (rows) {
            case 1: SG_DOT(1, SG_DC); break;
            case 2: SG_DOT(2, SG_DC); break;
            case 3: SG_DOT(3, SG_DC); break;
            default: SG_DOT(4, SG_DC); break;
          }
        }
        for (; j < jEnd; j++) SG_DOT(rows, 1);
#undef SG_DOT
      }
    }
  }
}

/* dst[i, p] = A[i, p] for A stored transposed (A[i, p] at a + p·lda + i): rows of kc for the dot path. */
static void transpose_block(idx mc, idx kc, const float *a, idx lda, float *restrict dst) {
  for (idx p = 0; p < kc; p++)
    for (idx i = 0; i < mc; i++) dst[i * kc + p] = a[p * lda + i];
}

static void scale_c(idx m, idx n, float beta, float *c, idx ldc) {
  if (beta == 1.0f) return;
  for (idx i = 0; i < m; i++) {
    float *row = c + i * ldc;
    if (beta == 0.0f)
      for (idx j = 0; j < n; j++) row[j] = 0.0f;
    else
      for (idx j = 0; j < n; j++) row[j] *= beta;
  }
}

/*
 * The entry point: C = alpha·op(A)·op(B) + beta·C. Operands in place, any
 * leading dimensions; `packA` and `packB` hold SG_PACK_A_FLOATS and
 * SG_PACK_B_FLOATS floats, 64-byte aligned, private to the calling thread.
 */
void ISA(lstmp_sgemm)(int transA, int transB, idx m, idx n, idx k, float alpha, const float *a, idx lda, const float *b, idx ldb, float beta, float *c, idx ldc, float *packA, float *packB) {
  if (m <= 0 || n <= 0) return;
  if (alpha == 0.0f || k <= 0) {
    scale_c(m, n, beta, c, ldc);
    return;
  }
  /* A[i, p] at a + i·rsa + p·csa */
  idx rsa = transA ? 1 : lda, csa = transA ? lda : 1;
  /*
   * With many rows of A, transposing B once into panels costs less than the
   * dot kernel's reductions, one per element of C for k/VL steps (measured
   * on Zen 4: 80×1024×40 at 87 GFLOP/s packed, 39 by dot products; at
   * k = 512 the dot products won, 81 against 73, at first; measured again
   * once the packing had been reworked, the packed path wins there too,
   * 85 against 82 on the output layer forward).
   */
  if (transB && m >= SG_NT_PACKED_M) {
    packed_path(m, n, k, alpha, a, rsa, csa, 1, b, ldb, beta, c, ldc, packA, packB);
    return;
  }
  if (transB) {
    if (!transA) {
      dot_path(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
      return;
    }
    /* TT: A's rows made contiguous, MC × KC at a time */
    for (idx pc = 0; pc < k; pc += SG_KC) {
      idx kc = min_idx(SG_KC, k - pc);
      for (idx ic = 0; ic < m; ic += SG_MC) {
        idx mc = min_idx(SG_MC, m - ic);
        transpose_block(mc, kc, a + pc * lda + ic, lda, packA);
        dot_path(mc, n, kc, alpha, packA, kc, b + pc, ldb, pc == 0 ? beta : 1.0f, c + ic * ldc, ldc);
      }
    }
    return;
  }
  if (m <= 2 * SG_RS) direct_path(m, n, k, alpha, a, rsa, csa, b, ldb, beta, c, ldc);
  else packed_path(m, n, k, alpha, a, rsa, csa, 0, b, ldb, beta, c, ldc, packA, packB);
}
