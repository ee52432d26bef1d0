import { sgemm as portableSgemm } from '../portable/sgemm.js';
import type { Kernels } from '../kernels.js';
import { createArena, createRuns, READ, READ_WRITE, WRITE } from './arena.js';
import { createElementwiseKernels } from './elementwise-kernels.js';
import { createLstmCellKernels } from './lstm-cell-kernels.js';
import { isShared, webAssembly, type WasmMemory } from './webassembly.js';
import { relaxedSimdAvailable } from './relaxed-simd.js';
import {
  packedABytes,
  packedBBytes,
  packedQuadsBytes,
  sgemmModuleBytes,
  TILE_BYTES,
  type SgemmExports,
} from './sgemm-module.js';
import { checkFits } from '../checks.js';

/**
 * Kernels running on WebAssembly SIMD (f32x4), generated at run time: no
 * build step, no toolchain, nothing but `WebAssembly` itself.
 *
 * Memory model
 * - Every instance works on one WebAssembly.Memory: by default a fresh
 *   shared one (growable, views never detach), or the one passed in, so
 *   worker threads can instantiate their own kernels over the main thread's
 *   memory and train one parameter buffer together (Hogwild).
 * - `alloc(length)` hands out zero-filled Float32Array views into that memory
 *   from a lock-free bump allocator (wasm/arena.ts) whose state lives in the
 *   memory itself, so allocations from any thread or instance never clash;
 *   `release` gives one back to this instance's later `alloc`s.
 * - Every kernel accepts any Float32Array. Arrays that are views of this
 *   memory (from `alloc` or `view`, or built over a `memory.buffer` this
 *   instance has seen) are used in place: pointer = byteOffset. Other arrays
 *   are copied into this instance's staging area and back (wasm/arena.ts's
 *   `Runs`, the one mechanism every kernel here uses): the same results, but
 *   the copies cost a pass over each such operand (a worker's parameters
 *   must therefore come from `view`, not from a stale buffer object).
 * - Each instance reserves its own packing scratch (~1.5 MB) at creation,
 *   so threads share nothing they write except C.
 * - Besides sgemm, the elementwise passes run on SIMD too: the LSTM cells'
 *   step (wasm/lstm-cell-kernels.ts), the softmax, its gradient, the SGD
 *   update and the finiteness check (wasm/elementwise-kernels.ts).
 *
 * Algorithm (GotoBLAS-style blocking; register tiles in wasm/sgemm-module.ts)
 * - op(B) = B (NN, TN): k blocks of KC × n blocks of NC; A is packed in
 *   4-row panels, B in 8-column panels, and a 4×8 tile of f32x4 accumulators
 *   runs over each pair. B is packed only when m > MC, i.e. when several A
 *   blocks reuse it; otherwise it is read in place (packing would be one
 *   more pass over B for a single use; measured equal or faster up to m = 128).
 * - op(B) = Bᵀ (NT, TT): dot products along k (both operands contiguous in
 *   k), 4×2 tiles, A packed in row quads, B read in place in L2-sized blocks.
 * - Where the runtime has relaxed SIMD, the products accumulate with
 *   f32x4.relaxed_madd (fused multiply-add); the plain SIMD path stays for
 *   runtimes without it (`relaxedSimd`).
 *
 * @example
 * const kernels = createWasmKernels();
 * const a = kernels.alloc(4 * 512), w = kernels.alloc(3200 * 512), out = kernels.alloc(4 * 3200);
 * kernels.sgemm(false, true, 4, 3200, 512, 1, a, 0, 512, w, 0, 512, 0, out, 0, 3200); // zero-copy
 */
export interface WasmKernels extends Kernels {
  /** The memory every array from `alloc` lives in; hand it to workers' createWasmKernels. */
  readonly memory: WasmMemory;
  /**
   * A view of `length` floats at `byteOffset` in the memory (e.g. parameters
   * another thread allocated), which these kernels use in place. A view built
   * over `memory.buffer` directly works too, but after the memory grows it may
   * be a buffer object this instance never saw, and then every product
   * copies it.
   */
  readonly view: (byteOffset: number, length: number) => Float32Array;
}

export interface WasmKernelsOptions {
  /**
   * The memory to work in, dedicated to these kernels (bytes 0–63 hold the
   * allocator). A non-shared memory never grows (that would detach views);
   * default: a new shared memory of up to 4 GiB.
   */
  readonly memory?: WasmMemory;
  /** Fused multiply-adds in the products (relaxed SIMD); default: where the runtime has them. */
  readonly relaxedSimd?: boolean;
}

// Outer-product path: A block MC × KC (128 KiB, L2), B block KC × NC (1 MiB).
const KC = 256;
const MC = 128;
const NC = 1024;
// Dot path: A quads MCD × KCD (256 KiB), B rows in blocks of NCD (≤ 256 KiB).
const KCD = 512;
const MCD = 128;
const NCD = 128;

export function createWasmKernels(options: WasmKernelsOptions = {}): WasmKernels {
  const memory = options.memory ?? new webAssembly.Memory({ initial: 32, maximum: 65536, shared: true });
  const arena = createArena(memory);
  const shared = isShared(memory);
  const available = relaxedSimdAvailable();
  const relaxed = options.relaxedSimd ?? available;
  if (relaxed && !available) throw new RangeError('createWasmKernels: this runtime has no relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd)');
  const wasm = new webAssembly.Instance(new webAssembly.Module(sgemmModuleBytes(shared, relaxed)), { env: { memory } })
    .exports as unknown as SgemmExports;

  const packA = arena.reserve(Math.max(packedABytes(MC, KC), packedQuadsBytes(MCD, KCD)));
  const packB = arena.reserve(packedBBytes(KC, NC));
  const packBTail = arena.reserve(packedBBytes(KC, 8));
  const tile = arena.reserve(TILE_BYTES);
  const runs = createRuns(arena, 3, () => {}); // sgemm checks its operands as matrices first

  const alloc = (length: number): Float32Array => {
    const pointer = arena.reserve(4 * length); // first: it may grow the memory
    return new Float32Array(arena.buffer(), pointer, length).fill(0); // a released region holds old values
  };
  const release = (array: Float32Array): void => {
    if (!arena.owns(array.buffer)) throw new RangeError('release: the array is not from these kernels\' alloc');
    arena.release(array.byteOffset, 4 * array.length);
  };

  function outerProduct(
    transA: boolean, m: number, n: number, k: number, alpha: number,
    pA: number, lda: number, pB: number, ldb: number, beta: number, pC: number, ldc: number,
  ): void {
    // Packing B pays only when several A blocks reuse it; one block streams it in place.
    const direct = m <= MC;
    for (let jc = 0; jc < n; jc += NC) {
      const nc = Math.min(NC, n - jc);
      const nFull = direct ? nc & ~7 : nc;
      for (let pc = 0; pc < k; pc += KC) {
        const kc = Math.min(KC, k - pc);
        const betaBlock = pc === 0 ? beta : 1;
        const bBlock = pB + 4 * (pc * ldb + jc);
        if (!direct) wasm.packBN(bBlock, 4 * ldb, kc, nc, packB);
        else if (nFull < nc) wasm.packBN(bBlock + 4 * nFull, 4 * ldb, kc, nc - nFull, packBTail);
        for (let ic = 0; ic < m; ic += MC) {
          const mc = Math.min(MC, m - ic);
          if (transA) wasm.packAT(pA + 4 * (pc * lda + ic), 4 * lda, mc, kc, packA);
          else wasm.packAN(pA + 4 * (ic * lda + pc), 4 * lda, mc, kc, packA);
          const cBlock = pC + 4 * (ic * ldc + jc);
          if (!direct) wasm.outerPacked(kc, mc, nc, packA, packB, cBlock, 4 * ldc, alpha, betaBlock, tile);
          else {
            if (nFull > 0) wasm.outerStrided(kc, mc, nFull, packA, bBlock, 4 * ldb, cBlock, 4 * ldc, alpha, betaBlock, tile);
            if (nFull < nc) wasm.outerPacked(kc, mc, nc - nFull, packA, packBTail, cBlock + 4 * nFull, 4 * ldc, alpha, betaBlock, tile);
          }
        }
      }
    }
  }

  function dotProduct(
    transA: boolean, m: number, n: number, k: number, alpha: number,
    pA: number, lda: number, pB: number, ldb: number, beta: number, pC: number, ldc: number,
  ): void {
    // A row or three (one stream's step): in place, where quads would be mostly padding. The same k
    // blocks as the quads', so a row comes out bit for bit as it would among more rows.
    if (m < 4 && !transA) {
      for (let pc = 0; pc < k; pc += KCD) {
        wasm.dotRows(Math.min(KCD, k - pc), m, n, pA + 4 * pc, 4 * lda, pB + 4 * pc, 4 * ldb, pC, 4 * ldc, alpha, pc === 0 ? beta : 1);
      }
      return;
    }
    for (let pc = 0; pc < k; pc += KCD) {
      const kc = Math.min(KCD, k - pc);
      const betaBlock = pc === 0 ? beta : 1;
      for (let ic = 0; ic < m; ic += MCD) {
        const mc = Math.min(MCD, m - ic);
        if (transA) wasm.packQuadsT(pA + 4 * (pc * lda + ic), 4 * lda, mc, kc, packA);
        else wasm.packQuadsN(pA + 4 * (ic * lda + pc), 4 * lda, mc, kc, packA);
        for (let jc = 0; jc < n; jc += NCD) {
          const nc = Math.min(NCD, n - jc);
          wasm.dot(kc, mc, nc, packA, pB + 4 * (jc * ldb + pc), 4 * ldb, pC + 4 * (ic * ldc + jc), 4 * ldc, alpha, betaBlock);
        }
      }
    }
  }

  const sgemm: typeof portableSgemm = (transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc) => {
    if (m <= 0 || n <= 0) return;
    checkFits('C', c, offC, ldc, m, n);
    if (alpha === 0 || k <= 0) {
      portableSgemm(transA, transB, m, n, 0, 0, a, offA, lda, b, offB, ldb, beta, c, offC, ldc); // only scales C
      return;
    }
    const rowsA = transA ? k : m;
    const colsA = transA ? m : k;
    const rowsB = transB ? n : k;
    const colsB = transB ? k : n;
    checkFits('A', a, offA, lda, rowsA, colsA);
    checkFits('B', b, offB, ldb, rowsB, colsB);

    runs.clear();
    const pa = runs.add(a, offA, span(rowsA, colsA, lda), READ);
    const pb = runs.add(b, offB, span(rowsB, colsB, ldb), READ);
    // C is only written when beta is 0, unless rows have gaps between them: those go back as they came.
    const pc = runs.add(c, offC, span(m, n, ldc), beta === 0 && ldc === n ? WRITE : READ_WRITE);
    runs.place();
    (transB ? dotProduct : outerProduct)(transA, m, n, k, alpha, runs.at(pa), lda, runs.at(pb), ldb, beta, runs.at(pc), ldc);
    runs.restore();
  };

  const view = (byteOffset: number, length: number): Float32Array => new Float32Array(arena.buffer(), byteOffset, length);

  return { name: relaxed ? 'wasm-relaxed-simd' : 'wasm-simd', sgemm, alloc, release, memory, view, ...createElementwiseKernels(arena), ...createLstmCellKernels(arena) };
}

/** The floats a rows × cols block with leading dimension `ld` spans, from its first element to its last. */
function span(rows: number, cols: number, ld: number): number {
  return (rows - 1) * ld + cols;
}
