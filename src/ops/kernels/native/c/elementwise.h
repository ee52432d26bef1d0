/*
 * The elementwise passes of a training step, written against the SIMD
 * vocabulary and instantiated per ISA: the LSTM cells' step forward and
 * backward (the portable lstm-cell.ts's equations), the log-softmax of each
 * row and the cross entropy's gradient, the SGD update and the finiteness
 * check. VL lanes at a time; the last n % VL elements through masked loads
 * and stores, so nothing past an array is read or written. Arrays need no
 * alignment. The callers (addon.c) have checked every bound.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include "simd-math.h"

typedef ptrdiff_t eidx;

/* Loads or stores lanes [j, j + n) where n is VL, or fewer at the tail. */
static inline vf ld(const float *p, int n) { return n == VL ? vf_load(p) : vf_load_n(p, n); }
static inline void st(float *p, vf v, int n) {
  if (n == VL) vf_store(p, v);
  else vf_store_n(p, v, n);
}

/*
 * One forward step for `rows` rows of C cells: gates (rows of 4C, i f g o)
 * from pre-activations to activations; c_t = clip(f ⊙ c_{t−1} + i ⊙ g);
 * tanh(c_t), the clip mask and m_t = o ⊙ tanh(c_t). Peepholes [3, C] (rows
 * i, f, o) or NULL.
 */
void ISA(lstmp_cell_forward)(eidx C, eidx rows, float cellClip, const float *peephole, float *gates, const float *prev, float *cur, float *hc, float *clipped, float *m) {
  vf clip = vf_set1(cellClip), low = vf_set1(-cellClip), one = vf_set1(1.0f), zero = vf_zero();
  for (eidx b = 0; b < rows; b++) {
    float *gi = gates + b * 4 * C, *gf = gi + C, *gg = gf + C, *go = gg + C;
    const float *cp = prev + b * C;
    float *cn = cur + b * C, *h = hc + b * C, *cl = clipped + b * C, *mm = m + b * C;
    for (eidx j = 0; j < C; j += VL) {
      int n = C - j < VL ? (int)(C - j) : VL;
      vf cPrev = ld(cp + j, n);
      vf zi = ld(gi + j, n), zf = ld(gf + j, n), zo = ld(go + j, n);
      if (peephole) {
        zi = vf_fma(ld(peephole + j, n), cPrev, zi);
        zf = vf_fma(ld(peephole + C + j, n), cPrev, zf);
      }
      vf i = vf_sigmoid(zi), f = vf_sigmoid(zf), g = vf_tanh(ld(gg + j, n));
      vf raw = vf_fma(f, cPrev, vf_mul(i, g));
      /* clip as Math.min(clip, Math.max(−clip, raw)): a NaN stays NaN */
      vf c = vf_min(clip, vf_max(low, raw));
      if (peephole) zo = vf_fma(ld(peephole + 2 * C + j, n), c, zo);
      vf o = vf_sigmoid(zo), t = vf_tanh(c);
      st(gi + j, i, n);
      st(gf + j, f, n);
      st(gg + j, g, n);
      st(go + j, o, n);
      st(cn + j, c, n);
      st(cl + j, vf_select(vf_ne(c, raw), one, zero), n);
      st(h + j, t, n);
      st(mm + j, vf_mul(o, t), n);
    }
  }
}

/*
 * The step backward: from ∂L/∂m_t (dm) and ∂L/∂c_t through later steps (dc,
 * rows from 0), ∂L/∂(gate pre-activations) to dGates, dc replaced by
 * ∂L/∂c_{t−1}, the peepholes' gradient added to dPeephole (both NULL or
 * neither). A clipped cell passes nothing back.
 */
void ISA(lstmp_cell_backward)(eidx C, eidx rows, const float *peephole, float *dPeephole, const float *gates, const float *hc, const float *clipped, const float *prev, const float *cur, const float *dm, float *dc, float *dGates) {
  vf one = vf_set1(1.0f), zero = vf_zero();
  for (eidx b = 0; b < rows; b++) {
    const float *gi = gates + b * 4 * C, *gf = gi + C, *gg = gf + C, *go = gg + C;
    float *di = dGates + b * 4 * C, *df = di + C, *dg = df + C, *dO = dg + C;
    const float *h_ = hc + b * C, *cl = clipped + b * C, *cp_ = prev + b * C, *cc = cur + b * C, *dm_ = dm + b * C;
    float *dc_ = dc + b * C;
    for (eidx j = 0; j < C; j += VL) {
      int n = C - j < VL ? (int)(C - j) : VL;
      vf i = ld(gi + j, n), f = ld(gf + j, n), g = ld(gg + j, n), o = ld(go + j, n);
      vf h = ld(h_ + j, n), cp = ld(cp_ + j, n), dmj = ld(dm_ + j, n);
      vf dzo = vf_mul(vf_mul(dmj, h), vf_mul(o, vf_sub(one, o)));
      vf dcj = vf_fma(vf_mul(dmj, o), vf_fnma(h, h, one), ld(dc_ + j, n));
      if (peephole) dcj = vf_fma(dzo, ld(peephole + 2 * C + j, n), dcj);
      /* a select, so even ±Infinity becomes 0 */
      dcj = vf_select(vf_ne(ld(cl + j, n), zero), zero, dcj);
      vf dzi = vf_mul(vf_mul(dcj, g), vf_mul(i, vf_sub(one, i)));
      vf dzg = vf_mul(vf_mul(dcj, i), vf_fnma(g, g, one));
      vf dzf = vf_mul(vf_mul(dcj, cp), vf_mul(f, vf_sub(one, f)));
      vf dcp = vf_mul(dcj, f);
      if (peephole) {
        dcp = vf_fma(dzi, ld(peephole + j, n), vf_fma(dzf, ld(peephole + C + j, n), dcp));
        st(dPeephole + j, vf_fma(dzi, cp, ld(dPeephole + j, n)), n);
        st(dPeephole + C + j, vf_fma(dzf, cp, ld(dPeephole + C + j, n)), n);
        st(dPeephole + 2 * C + j, vf_fma(dzo, ld(cc + j, n), ld(dPeephole + 2 * C + j, n)), n);
      }
      st(dc_ + j, dcp, n);
      st(di + j, dzi, n);
      st(df + j, dzf, n);
      st(dg + j, dzg, n);
      st(dO + j, dzo, n);
    }
  }
}

/* The largest of a row's values; a NaN is ignored (vf_max(x, best) is best when x is NaN), as in the wasm set. */
static inline float ISA(row_max)(const float *row, eidx cols) {
  vf best = vf_set1(-INFINITY);
  eidx j = 0;
  for (; j + VL <= cols; j += VL) best = vf_max(vf_load(row + j), best);
  float max = vf_hmax(best);
  for (; j < cols; j++)
    if (row[j] > max) max = row[j];
  return max;
}

/* Each row of [rows, cols] in place: x − (max + log Σ exp(x − max)). */
void ISA(lstmp_log_softmax_rows)(float *x, eidx rows, eidx cols) {
  for (eidx r = 0; r < rows; r++) {
    float *row = x + r * cols;
    float max = ISA(row_max)(row, cols);
    eidx j;
    vf shift = vf_set1(max), sum = vf_zero();
    for (j = 0; j < cols; j += VL) {
      int n = cols - j < VL ? (int)(cols - j) : VL;
      sum = vf_add(sum, vf_keep(vf_exp(vf_sub(ld(row + j, n), shift)), n));
    }
    /* as the wasm set: log Z in double, then one float to subtract */
    vf minusLogZ = vf_set1((float)-((double)max + log((double)vf_sum(sum))));
    for (j = 0; j < cols; j += VL) {
      int n = cols - j < VL ? (int)(cols - j) : VL;
      st(row + j, vf_add(ld(row + j, n), minusLogZ), n);
    }
  }
}

/*
 * Each row's arg-max into out: the first index of its largest value, as the
 * TypeScript reference (frame accuracy's numerator). A vector max, then a
 * vector search for the first lane equal to it. Rows holding NaN: the
 * largest of their other values.
 */
void ISA(lstmp_argmax_rows)(const float *x, eidx rows, eidx cols, int32_t *out) {
  for (eidx r = 0; r < rows; r++) {
    const float *row = x + r * cols;
    float max = ISA(row_max)(row, cols);
    eidx at = -1, j;
    vf target = vf_set1(max);
    for (j = 0; j + VL <= cols; j += VL) {
      unsigned bits = vf_eq_bits(vf_load(row + j), target);
      if (bits) {
        at = j + __builtin_ctz(bits);
        break;
      }
    }
    for (; at < 0 && j < cols; j++)
      if (row[j] == max) at = j;
    out[r] = at < 0 ? 0 : (int32_t)at;
  }
}

/*
 * The cross entropy's gradient with respect to the logits that gave logp:
 * mask · (softmax − onehot(target)) into dLogits ([rows, cols], `length`
 * floats in all), zero on masked rows. The onehot subtraction writes
 * element r·cols + target wherever it falls inside dLogits, row after row,
 * as the TypeScript sets do (a typed array ignores writes outside it).
 */
void ISA(lstmp_cross_entropy_gradient)(const float *logp, const int32_t *targets, const float *mask, eidx rows, eidx cols, float *dLogits, eidx length) {
  for (eidx r = 0; r < rows; r++) {
    const float *p = logp + r * cols;
    float *d = dLogits + r * cols;
    float w = mask[r];
    if (w == 0.0f) {
      for (eidx j = 0; j < cols; j++) d[j] = 0.0f;
      continue;
    }
    vf wv = vf_set1(w);
    for (eidx j = 0; j < cols; j += VL) {
      int n = cols - j < VL ? (int)(cols - j) : VL;
      st(d + j, vf_mul(wv, vf_exp(ld(p + j, n))), n);
    }
    eidx at = r * cols + (eidx)targets[r];
    if (at >= 0 && at < length) dLogits[at] -= w;
  }
}

/* p −= rate · clamp(g, ±clip), or with a velocity v = momentum · v − rate · clamp(g, ±clip); p += v. A NaN gradient stays NaN. */
void ISA(lstmp_sgd)(float *p, float *v, const float *g, eidx n, float rate, float momentum, float clip) {
  vf rateV = vf_set1(rate), momentumV = vf_set1(momentum), hi = vf_set1(clip), lo = vf_set1(-clip);
  for (eidx j = 0; j < n; j += VL) {
    int w = n - j < VL ? (int)(n - j) : VL;
    vf step = vf_min(hi, vf_max(lo, ld(g + j, w)));
    if (v) {
      vf vel = vf_fnma(rateV, step, vf_mul(momentumV, ld(v + j, w)));
      st(v + j, vel, w);
      st(p + j, vf_add(ld(p + j, w), vel), w);
    } else {
      st(p + j, vf_fnma(rateV, step, ld(p + j, w)), w);
    }
  }
}

/*
 * 1 when no element is NaN or ±Infinity. From the end backwards: the
 * update that follows the check walks the arrays forwards, and so starts on
 * what the check read last, still in cache.
 */
int ISA(lstmp_all_finite)(const float *x, eidx n) {
  eidx j = n;
  eidx tail = n % VL;
  if (tail && vf_any_nonfinite(vf_load_n(x + n - tail, (int)tail))) return 0;
  j -= tail;
  for (; j >= 4 * VL; j -= 4 * VL) {
    /* each of four vectors tested: NaN and Infinity do not survive a sum or an AND as such */
    if (vf_any_nonfinite(vf_load(x + j - VL)) | vf_any_nonfinite(vf_load(x + j - 2 * VL)) | vf_any_nonfinite(vf_load(x + j - 3 * VL)) |
        vf_any_nonfinite(vf_load(x + j - 4 * VL)))
      return 0;
  }
  for (; j >= VL; j -= VL)
    if (vf_any_nonfinite(vf_load(x + j - VL))) return 0;
  return 1;
}
