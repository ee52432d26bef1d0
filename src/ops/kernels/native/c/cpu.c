/*
 * Which instruction sets this CPU and its OS can run: cpuid for the CPU's
 * features, xgetbv for whether the OS saves the ymm / zmm registers across
 * context switches (a CPU with AVX-512 under an OS that does not is common
 * enough in VMs). Compiled without ISA flags: it must run anywhere.
 */
#include <cpuid.h>
#include <stdint.h>
#include "kernels.h"

static uint64_t xcr0(void) {
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return ((uint64_t)hi << 32) | lo;
}

int lstmp_supported_isas(const struct lstmp_isa **out, int capacity, const char **why) {
  unsigned a, b, c, d;
  int count = 0;
  *why = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d)) {
    *why = "cpuid leaf 1 unavailable";
    return 0;
  }
  int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
  if (!(fma && osxsave && avx)) {
    *why = "the CPU has no AVX with FMA";
    return 0;
  }
  uint64_t xcr = xcr0();
  if ((xcr & 0x6) != 0x6) {
    *why = "the OS does not save AVX registers";
    return 0;
  }
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !((b >> 5) & 1)) {
    *why = "the CPU has no AVX2";
    return 0;
  }
  int avx512f = (b >> 16) & 1;
  /* opmask, upper halves of zmm0–15 and zmm16–31 saved by the OS */
#ifndef LSTMP_NO_AVX512
  if (avx512f && (xcr & 0xe6) == 0xe6 && count < capacity) out[count++] = &lstmp_isa_avx512;
#else
  (void)avx512f;
#endif
  if (count < capacity) out[count++] = &lstmp_isa_avx2;
  return count;
}
