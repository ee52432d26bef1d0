/* The table of an instantiation unit's kernels (included last by avx2.c and avx512.c). */
#include "kernels.h"

#define LSTMP_TABLE(isaName)                                                                                   \
  const struct lstmp_isa isaName = {                                                                         \
      .name = LSTMP_ISA_NAME,                                                                                \
      .packAFloats = SG_PACK_A_FLOATS,                                                                       \
      .packBFloats = SG_PACK_B_FLOATS,                                                                       \
      .sgemm = ISA(lstmp_sgemm),                                                                             \
      .cellForward = ISA(lstmp_cell_forward),                                                                \
      .cellBackward = ISA(lstmp_cell_backward),                                                              \
      .logSoftmaxRows = ISA(lstmp_log_softmax_rows),                                                         \
      .argmaxRows = ISA(lstmp_argmax_rows),                                                                  \
      .crossEntropyGradient = ISA(lstmp_cross_entropy_gradient),                                             \
      .sgd = ISA(lstmp_sgd),                                                                                 \
      .allFinite = ISA(lstmp_all_finite),                                                                    \
      .fmaLoop = ISA(lstmp_fma_loop),                                                                        \
      .fmaFlopsPerIteration = PEAK_FLOPS_PER_ITERATION,                                                      \
  }
