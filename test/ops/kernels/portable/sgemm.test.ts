import fc from 'fast-check';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { sgemm } from '../../../../src/ops/kernels/portable/sgemm.js';
import { type Kernels } from '../../../../src/ops/kernels/kernels.js';
import { createWasmKernels } from '../../../../src/ops/kernels/wasm/wasm-kernels.js';
import { webAssembly } from '../../../../src/ops/kernels/wasm/webassembly.js';
import { portableKernels } from '../../../../src/ops/kernels/portable/portable-kernels.js';

/** One sgemm call: shapes, scalars, and where the matrices sit in their arrays. */
interface Case {
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  alpha: number;
  beta: number;
  /** Offsets of the first element, and extra floats per row beyond the row length. */
  offA: number;
  offB: number;
  offC: number;
  padA: number;
  padB: number;
  padC: number;
  seed: number;
}

/** Uniform values in [-1, 1) from a xorshift generator. */
function fillRandom(x: Float32Array, seed: number): Float32Array {
  let s = seed | 0 || 1;
  for (let i = 0; i < x.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    x[i] = (s >>> 0) / 2 ** 31 - 1;
  }
  return x;
}

type Allocate = (length: number) => Float32Array;

/** A, B and C for `c`, in arrays from `place` (one allocator for each); C's own elements are NaN when beta = 0 (they must vanish). */
function operands(c: Case, place: readonly [Allocate, Allocate, Allocate]) {
  const [rowsA, colsA] = c.transA ? [c.k, c.m] : [c.m, c.k];
  const [rowsB, colsB] = c.transB ? [c.n, c.k] : [c.k, c.n];
  const lda = colsA + c.padA;
  const ldb = colsB + c.padB;
  const ldc = c.n + c.padC;
  const a = fillRandom(place[0](c.offA + rowsA * lda), c.seed);
  const b = fillRandom(place[1](c.offB + rowsB * ldb), c.seed + 1);
  const out = fillRandom(place[2](c.offC + c.m * ldc + 1), c.seed + 2);
  if (c.beta === 0) for (let i = 0; i < c.m; i++) out.fill(NaN, c.offC + i * ldc, c.offC + i * ldc + c.n);
  return { a, b, c: out, lda, ldb, ldc };
}

/**
 * Checks `after` (C once sgemm ran) against a float64 triple loop over
 * `before`: each element of C within a float32 rounding bound that grows with
 * k; every float outside C's m × n elements untouched.
 */
function expectProduct(c: Case, a: Float32Array, lda: number, b: Float32Array, ldb: number, before: Float32Array, after: Float32Array, ldc: number): void {
  const at = (x: Float32Array, off: number, ld: number, trans: boolean, row: number, col: number) => (trans ? x[off + col * ld + row] : x[off + row * ld + col]);
  const unitRoundoff = 2 ** -24;
  const expected = Float64Array.from(before);
  const bound = new Float64Array(before.length);
  for (let i = 0; i < c.m; i++) {
    for (let j = 0; j < c.n; j++) {
      let sum = 0;
      let magnitude = 0;
      for (let p = 0; p < c.k; p++) {
        const term = at(a, c.offA, lda, c.transA, i, p) * at(b, c.offB, ldb, c.transB, p, j);
        sum += term;
        magnitude += Math.abs(term);
      }
      const index = c.offC + i * ldc + j;
      const old = c.beta === 0 ? 0 : c.beta * before[index];
      expected[index] = c.alpha * sum + old;
      // Relative rounding of the sum and the scalings, plus absolute slack where results are subnormal.
      bound[index] = 2 * (c.k + 4) * (unitRoundoff * (Math.abs(c.alpha) * magnitude + Math.abs(old)) + 2 ** -149);
    }
  }
  for (let i = 0; i < after.length; i++) {
    const error = Math.abs(after[i] - expected[i]);
    if (!(error <= bound[i]) && !Object.is(after[i], Math.fround(expected[i]))) {
      expect.fail(`C[${i}] = ${after[i]}, want ${expected[i]} ± ${bound[i]} (${JSON.stringify(c)})`);
    }
  }
}

function run(kernels: Kernels, c: Case, allocate: Allocate | readonly [Allocate, Allocate, Allocate]): void {
  const { a, b, c: out, lda, ldb, ldc } = operands(c, typeof allocate === 'function' ? [allocate, allocate, allocate] : allocate);
  const before = out.slice();
  kernels.sgemm(c.transA, c.transB, c.m, c.n, c.k, c.alpha, a, c.offA, lda, b, c.offB, ldb, c.beta, out, c.offC, ldc);
  expectProduct(c, a, lda, b, ldb, before, out, ldc);
}

const scalar = fc.oneof(fc.constantFrom(0, 1, -1), fc.double({ min: -2, max: 2, noNaN: true }).map(Math.fround));

/** Small shapes (0 and 1 included, none a multiple of the register tiles by design) with everything else random. */
const smallCase: fc.Arbitrary<Case> = fc.record({
  transA: fc.boolean(),
  transB: fc.boolean(),
  m: fc.integer({ min: 0, max: 13 }),
  n: fc.integer({ min: 0, max: 19 }),
  k: fc.integer({ min: 0, max: 21 }),
  alpha: scalar,
  beta: scalar,
  offA: fc.integer({ min: 0, max: 5 }),
  offB: fc.integer({ min: 0, max: 5 }),
  offC: fc.integer({ min: 0, max: 5 }),
  padA: fc.integer({ min: 0, max: 3 }),
  padB: fc.integer({ min: 0, max: 3 }),
  padC: fc.integer({ min: 0, max: 3 }),
  seed: fc.integer({ min: 1, max: 2 ** 30 }),
});

/**
 * Shapes that cross the wasm kernels' cache blocks, with tails: k past 256
 * and 512, m past 128, n past 128 and 1024, m ≤ 4 (B read in place).
 */
const blockShapes: readonly [number, number, number][] = [
  [133, 20, 300],
  [3, 1030, 300],
  [9, 1030, 20],
  [133, 9, 520],
  [5, 131, 520],
];

const wasm = createWasmKernels();
const kernelSets: readonly { name: string; kernels: Kernels; allocate: Allocate }[] = [
  { name: 'portable', kernels: portableKernels, allocate: portableKernels.alloc },
  { name: 'wasm, operands in its memory', kernels: wasm, allocate: wasm.alloc },
  { name: 'wasm, operands outside its memory', kernels: wasm, allocate: (length) => new Float32Array(length) },
];

describe.each(kernelSets)('sgemm ($name)', ({ kernels, allocate }) => {
  it('computes alpha·op(A)·op(B) + beta·C like a float64 triple loop, touching nothing else', () => {
    fc.assert(
      fc.property(smallCase, (c) => run(kernels, c, allocate)),
      { numRuns: 400 },
    );
  });

  it.each(blockShapes)('agrees across cache blocks and edge tiles: %i×%i×%i in all four transposes', (m, n, k) => {
    for (const [transA, transB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
      const beta = transA ? 0 : 0.5;
      run(kernels, { transA, transB, m, n, k, alpha: 0.75, beta, offA: 1, offB: 2, offC: 3, padA: 1, padB: 0, padC: 2, seed: m * n + k }, allocate);
    }
  });

  it('overwrites C when beta = 0, so NaN or Inf there vanish', () => {
    const a = allocate(6).fill(1);
    const b = allocate(6).fill(2);
    const c = allocate(4);
    c.set([NaN, Infinity, -Infinity, NaN]);
    kernels.sgemm(false, false, 2, 2, 3, 1, a, 0, 3, b, 0, 2, 0, c, 0, 2);
    expect(Array.from(c)).toEqual([6, 6, 6, 6]);
  });

  it('only scales C when alpha = 0 or k = 0', () => {
    const c = allocate(4);
    c.set([1, 2, 3, 4]);
    const a = allocate(4).fill(NaN);
    kernels.sgemm(false, true, 2, 2, 2, 0, a, 0, 2, a, 0, 2, 2, c, 0, 2);
    kernels.sgemm(true, false, 2, 2, 0, 1, a, 0, 2, a, 0, 2, 0.5, c, 0, 2);
    expect(Array.from(c)).toEqual([1, 2, 3, 4]);
  });

  it('allocates zero-filled arrays of the asked length', () => {
    const x = kernels.alloc(1000);
    expect(x).toHaveLength(1000);
    expect(x.every((v) => v === 0)).toBe(true);
  });
});

describe('createWasmKernels', () => {
  it('computes the same when some operands are in its memory and some are not', () => {
    const outside: Allocate = (length) => new Float32Array(length);
    fc.assert(
      fc.property(smallCase, fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()), (c, inside) => {
        run(wasm, c, [inside[0] ? wasm.alloc : outside, inside[1] ? wasm.alloc : outside, inside[2] ? wasm.alloc : outside]);
      }),
      { numRuns: 200 },
    );
  });

  it('hands out 64-byte aligned, disjoint views that survive the memory growing', () => {
    const kernels = createWasmKernels();
    const first = kernels.alloc(10).fill(7);
    const big = kernels.alloc(5_000_000); // grows the memory
    const last = kernels.alloc(3);
    expect([first, big, last].every((x) => x.buffer instanceof SharedArrayBuffer && x.byteOffset % 64 === 0)).toBe(true);
    expect(first.byteOffset + 40).toBeLessThanOrEqual(big.byteOffset);
    expect(big.byteOffset + 4 * big.length).toBeLessThanOrEqual(last.byteOffset);
    expect(Array.from(first)).toEqual(new Array(10).fill(7));
    expect(kernels.memory.buffer.byteLength).toBeGreaterThanOrEqual(last.byteOffset + 12);
  });

  it('gives a released array to a later alloc of the same length, zero-filled, and to no other instance', () => {
    const kernels = createWasmKernels();
    const other = createWasmKernels({ memory: kernels.memory });
    const x = kernels.alloc(1000).fill(3);
    kernels.release(x);
    const elsewhere = other.alloc(1000);
    const shorter = kernels.alloc(10);
    const again = kernels.alloc(1000);
    expect(again.byteOffset).toBe(x.byteOffset);
    expect(Array.from(again).every((v) => v === 0)).toBe(true);
    expect([elsewhere, shorter].every((y) => y.byteOffset + 4 * y.length <= x.byteOffset || y.byteOffset >= x.byteOffset + 4000)).toBe(true);
    expect(kernels.alloc(1000).byteOffset).not.toBe(x.byteOffset); // handed out once
  });

  it('refuses to release an array that is not from its memory', () => {
    expect(() => createWasmKernels().release(new Float32Array(4))).toThrow(/not from these kernels' alloc/);
  });

  it('lets two instances share one memory without their allocations clashing', () => {
    const one = createWasmKernels();
    const two = createWasmKernels({ memory: one.memory });
    const x = one.alloc(100).fill(1);
    const y = two.alloc(100).fill(2);
    expect(Math.abs(x.byteOffset - y.byteOffset)).toBeGreaterThanOrEqual(400);
    const out = two.alloc(1);
    two.sgemm(false, true, 1, 1, 100, 1, x, 0, 100, y, 0, 100, 0, out, 0, 1);
    expect(out[0]).toBe(200);
  });

  it('uses views the caller builds over its memory', () => {
    const kernels = createWasmKernels();
    const at = kernels.alloc(8).byteOffset;
    const view = new Float32Array(kernels.memory.buffer, at, 8);
    view.set([1, 2, 3, 4, 5, 6, 0, 0]);
    kernels.sgemm(false, false, 1, 2, 3, 1, view, 0, 3, view, 0, 2, 0, view, 6, 2);
    expect(Array.from(view.subarray(6))).toEqual([1 * 1 + 2 * 3 + 3 * 5, 1 * 2 + 2 * 4 + 3 * 6]);
  });

  it('views memory another instance allocated, after the memory grew, and multiplies with it', () => {
    const one = createWasmKernels();
    const x = one.alloc(6);
    x.set([1, 2, 3, 4, 5, 6]);
    const two = createWasmKernels({ memory: one.memory });
    one.alloc(3_000_000); // grows the memory: two's first buffer object is stale
    const view = two.view(x.byteOffset, 6);
    expect(Array.from(view)).toEqual([1, 2, 3, 4, 5, 6]);
    view[0] = 7;
    expect(x[0]).toBe(7);
    const out = two.alloc(1);
    two.sgemm(false, true, 1, 1, 6, 1, view, 0, 6, view, 0, 6, 0, out, 0, 1);
    expect(out[0]).toBe(49 + 4 + 9 + 16 + 25 + 36);
  });

  it('never grows a non-shared memory (that would detach views): it refuses allocations that do not fit', () => {
    const memory = new webAssembly.Memory({ initial: 64 });
    const kernels = createWasmKernels({ memory });
    const x = kernels.alloc(1000).fill(3);
    expect(() => kernels.alloc(1_000_000)).toThrow(/memory is full/);
    expect(x[999]).toBe(3);
    const out = new Float32Array(1);
    kernels.sgemm(false, true, 1, 1, 1000, 1, x, 0, 1000, new Float32Array(1000).fill(1), 0, 1000, 0, out, 0, 1);
    expect(out[0]).toBe(3000);
  });

  it('rejects operands that do not fit their arrays instead of touching other memory', () => {
    const a = wasm.alloc(6);
    const c = wasm.alloc(4);
    expect(() => wasm.sgemm(false, false, 2, 2, 3, 1, a, 0, 3, a, 1, 2, 0, c, 0, 2)).toThrow(RangeError);
    expect(() => wasm.sgemm(false, false, 2, 2, 3, 1, a, 0, 3, a, 0, 2, 0, c, 1, 2)).toThrow(RangeError);
    expect(() => wasm.sgemm(true, false, 2, 2, 3, 1, a, 0, 1, a, 0, 2, 0, c, 0, 2)).toThrow(RangeError);
  });

  it('stages operands correctly after another thread grew the memory', async () => {
    const main = createWasmKernels();
    // A worker's kernels stage a product, the main thread then grows the memory far past what the worker
    // has seen of it, and the worker stages a larger product, whose staging lies past the old end.
    const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
    const source = `
      const { workerData, parentPort } = require('node:worker_threads');
      import(${tsx}).then(({ register }) => { register(); return import(workerData.url); }).then(({ createWasmKernels }) => {
        const kernels = createWasmKernels({ memory: workerData.memory });
        const plain = (length, seed) => Float32Array.from({ length }, (_, i) => ((i * seed) % 13) - 6);
        const product = (m, n, k) => {
          const c = new Float32Array(m * n);
          kernels.sgemm(false, false, m, n, k, 1, plain(m * k, 3), 0, k, plain(k * n, 11), 0, n, 0, c, 0, n);
          return c;
        };
        product(8, 8, 8);
        parentPort.postMessage('staged');
        parentPort.once('message', () => parentPort.postMessage(product(512, 64, 512)));
      });`;
    const url = new URL('../../../../src/ops/kernels/wasm/wasm-kernels.ts', import.meta.url).href;
    const staged = await new Promise<Float32Array>((resolve, reject) => {
      const worker = new Worker(source, { eval: true, workerData: { memory: main.memory, url } });
      worker.once('error', reject);
      worker.once('message', () => {
        main.alloc(8_000_000);
        worker.once('message', (c: Float32Array) => void worker.terminate().then(() => resolve(c)));
        worker.postMessage('go');
      });
    });
    const plain = (length: number, seed: number) => Float32Array.from({ length }, (_, i) => ((i * seed) % 13) - 6);
    const expected = new Float32Array(512 * 64);
    portableKernels.sgemm(false, false, 512, 64, 512, 1, plain(512 * 512, 3), 0, 512, plain(512 * 64, 11), 0, 64, 0, expected, 0, 64);
    expect(Array.from(staged)).toEqual(Array.from(expected)); // small integers: every sum is exact
  });

  it('lets worker threads allocate and multiply in one shared memory at the same time', async () => {
    const main = createWasmKernels();
    const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
    const source = `
      const { workerData, parentPort } = require('node:worker_threads');
      import(${tsx}).then(({ register }) => { register(); return import(workerData.url); }).then(({ createWasmKernels }) => {
        const kernels = createWasmKernels({ memory: workerData.memory });
        const [m, n, k] = [5, 37, 300];
        const regions = [];
        for (let round = 0; round < 20; round++) {
          const a = kernels.alloc(m * k), b = kernels.alloc(n * k), c = kernels.alloc(m * n);
          for (let i = 0; i < a.length; i++) a[i] = ((i * 7 + workerData.id) % 11) - 5;
          for (let i = 0; i < b.length; i++) b[i] = ((i * 3 + round) % 5) - 2;
          kernels.sgemm(false, true, m, n, k, 1, a, 0, k, b, 0, k, 0, c, 0, n);
          regions.push([a.byteOffset, a.length], [b.byteOffset, b.length], [c.byteOffset, c.length]);
        }
        parentPort.postMessage(regions);
      });`;
    const url = new URL('../../../../src/ops/kernels/wasm/wasm-kernels.ts', import.meta.url).href;
    const results = await Promise.all(
      [1, 2].map(
        (id) =>
          new Promise<[number, number][]>((resolve, reject) => {
            const worker = new Worker(source, { eval: true, workerData: { memory: main.memory, url, id } });
            worker.once('message', (regions: [number, number][]) => void worker.terminate().then(() => resolve(regions)));
            worker.once('error', reject);
          }),
      ),
    );
    const regions = results.flat().sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < regions.length; i++) expect(regions[i - 1][0] + 4 * regions[i - 1][1]).toBeLessThanOrEqual(regions[i][0]);
    const buffer = main.memory.buffer;
    results.forEach((list, w) => {
      for (let round = 0; round < 20; round++) {
        const [[pa], [pb], [pc]] = list.slice(3 * round, 3 * round + 3);
        const [m, n, k] = [5, 37, 300];
        const want = new Float32Array(m * n);
        sgemm(false, true, m, n, k, 1, new Float32Array(buffer, pa, m * k), 0, k, new Float32Array(buffer, pb, n * k), 0, k, 0, want, 0, n);
        expect(Array.from(new Float32Array(buffer, pc, m * n)), `worker ${w + 1}, round ${round}`).toEqual(Array.from(want));
      }
    });
  });
});

