/* The kernels for AVX2 + FMA (8 lanes). Compiled with -mavx2 -mfma; used only after cpu.c has seen both. */
#include "vector-avx2.h"

#define LSTMP_ISA_NAME "avx2"
/* 6 × 16: 12 accumulators, 2 vectors of B, 1 broadcast of A (15 of 16 registers) */
#define SG_MR 6
#define SG_NV 2
/* few rows: 4 × 24, 12 accumulators */
#define SG_RS 4
#define SG_NVS 3
/* dot products: 4 rows of A × 3 rows of B, 12 accumulators, 7 loads per 12 FMAs */
#define SG_DR 4
#define SG_DC 3
/* A block 144 × 256 (144 KiB, L2), B block 256 × 1024 (1 MiB) */
#define SG_MC 144
#define SG_KC 256
#define SG_NC 1024
/* 12 chains: FMA latency 4 × 2 pipes needs 8 */
#define PEAK_CHAINS 12

#include "sgemm.h"
#include "elementwise.h"
#include "peak.h"
#include "isa-table.h"

LSTMP_TABLE(lstmp_isa_avx2);
