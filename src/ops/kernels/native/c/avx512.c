/* The kernels for AVX-512F (16 lanes). Compiled with -mavx512f; used only after cpu.c has seen it and the OS saves zmm state. */
#include "vector-avx512.h"

#define LSTMP_ISA_NAME "avx512"
/* 8 × 32: 16 accumulators, 2 vectors of B, 1 broadcast of A */
#define SG_MR 8
#define SG_NV 2
/* few rows: 4 × 64, 16 accumulators */
#define SG_RS 4
#define SG_NVS 4
/* dot products: 4 rows of A × 6 rows of B, 24 accumulators */
#define SG_DR 4
#define SG_DC 6
/* A block 144 × 256, B block 256 × 1024 */
#define SG_MC 144
#define SG_KC 256
#define SG_NC 1024
/* 24 chains: enough for two 512-bit FMA pipes of latency 4, with room */
#define PEAK_CHAINS 24

#include "sgemm.h"
#include "elementwise.h"
#include "peak.h"
#include "isa-table.h"

LSTMP_TABLE(lstmp_isa_avx512);
