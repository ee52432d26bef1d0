import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { sgemm } from '../../../../src/ops/kernels/portable/sgemm.js';
import { createWasmKernels } from '../../../../src/ops/kernels/wasm/wasm-kernels.js';
import { webAssembly } from '../../../../src/ops/kernels/wasm/webassembly.js';
import { portableKernels } from '../../../../src/ops/kernels/portable/portable-kernels.js';
import { kernelConformance } from '../../../../src/testing/conformance.js';

const wasm = createWasmKernels();

// The sgemm checks of lstmp/testing's kernelConformance (every set runs them all in test/ops/kernels/kernels.test.ts,
// with each operand drawn in or out of the set's memory), on the wasm set with every operand in its memory and with
// none: the zero-copy path and the staged one.
describe.each(['kernels', 'plain'] as const)('sgemm (wasm, operands in %s arrays)', (placement) => {
  it.each(kernelConformance(wasm, { placement }).filter((check) => check.name.startsWith('sgemm')))('$name', ({ run }) => run());
});

describe('createWasmKernels', () => {
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

  it('gives each row of A·Bᵀ bit for bit, alone (one stream, in place) or among others (packed in quads), long k included', () => {
    for (const relaxedSimd of [false, ...(wasm.name === 'wasm-relaxed-simd' ? [true] : [])]) {
      const kernels = createWasmKernels({ relaxedSimd });
      for (const [m, n, k] of [[9, 13, 97], [6, 5, 1030], [5, 9, 513]]) {
        const a = kernels.alloc(m * k).map((_, i) => Math.sin(i * 0.37));
        const b = kernels.alloc(n * k).map((_, i) => Math.cos(i * 0.11));
        const together = kernels.alloc(m * n).fill(0.5);
        kernels.sgemm(false, true, m, n, k, 0.75, a, 0, k, b, 0, k, 0.5, together, 0, n);
        for (let rows = 1; rows <= 3; rows++) {
          const apart = kernels.alloc(m * n).fill(0.5);
          for (let i = 0; i < m; i += rows) kernels.sgemm(false, true, Math.min(rows, m - i), n, k, 0.75, a, i * k, k, b, 0, k, 0.5, apart, i * n, n);
          expect(Array.from(apart)).toEqual(Array.from(together));
        }
      }
    }
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

