/*
 * The core's fused multiply-add peak, measured the way the issue states it:
 * a loop of independent FMAs on PEAK_CHAINS accumulators (more chains than
 * FMA latency × pipes, so nothing waits), nothing loaded or stored. The
 * caller times it; lstmp_fma_loop returns a value so the loop is not
 * optimised away.
 */
#define PEAK_FLOPS_PER_ITERATION (2 * VL * PEAK_CHAINS)

float ISA(lstmp_fma_loop)(long iterations) {
  vf acc[PEAK_CHAINS];
  for (int j = 0; j < PEAK_CHAINS; j++) acc[j] = vf_set1(0.001f * (float)j);
  vf x = vf_set1(0.999f), y = vf_set1(1e-4f);
  for (long i = 0; i < iterations; i++) {
#pragma GCC unroll 32
    for (int j = 0; j < PEAK_CHAINS; j++) acc[j] = vf_fma(acc[j], x, y);
  }
  vf s = acc[0];
  for (int j = 1; j < PEAK_CHAINS; j++) s = vf_add(s, acc[j]);
  return vf_sum(s);
}
