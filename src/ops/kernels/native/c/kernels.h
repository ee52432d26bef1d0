/*
 * What one instruction set's unit (avx2.c, avx512.c) provides: a table of
 * its kernels, picked at run time by cpu.c from what the CPU supports.
 */
#ifndef LSTMP_KERNELS_H
#define LSTMP_KERNELS_H
#include <stddef.h>
#include <stdint.h>

typedef ptrdiff_t lstmp_idx;

struct lstmp_isa {
  const char *name;
  /* floats of packing scratch each sgemm caller must own */
  size_t packAFloats, packBFloats;
  void (*sgemm)(int transA, int transB, lstmp_idx m, lstmp_idx n, lstmp_idx k, float alpha, const float *a, lstmp_idx lda, const float *b, lstmp_idx ldb, float beta, float *c, lstmp_idx ldc, float *packA, float *packB);
  void (*cellForward)(lstmp_idx C, lstmp_idx rows, float cellClip, const float *peephole, float *gates, const float *prev, float *cur, float *hc, float *clipped, float *m);
  void (*cellBackward)(lstmp_idx C, lstmp_idx rows, const float *peephole, float *dPeephole, const float *gates, const float *hc, const float *clipped, const float *prev, const float *cur, const float *dm, float *dc, float *dGates);
  void (*logSoftmaxRows)(float *x, lstmp_idx rows, lstmp_idx cols);
  void (*argmaxRows)(const float *x, lstmp_idx rows, lstmp_idx cols, int32_t *out);
  void (*crossEntropyGradient)(const float *logp, const int32_t *targets, const float *mask, lstmp_idx rows, lstmp_idx cols, float *dLogits, lstmp_idx length);
  void (*sgd)(float *p, float *v, const float *g, lstmp_idx n, float rate, float momentum, float clip);
  int (*allFinite)(const float *x, lstmp_idx n);
  float (*fmaLoop)(long iterations);
  long fmaFlopsPerIteration;
};

extern const struct lstmp_isa lstmp_isa_avx2;
extern const struct lstmp_isa lstmp_isa_avx512;

/* The ISA tables this CPU and OS can run, best first; `why` says why there is none. */
int lstmp_supported_isas(const struct lstmp_isa **out, int capacity, const char **why);

#endif
