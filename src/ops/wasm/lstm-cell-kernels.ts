import type { Kernels } from '../kernels.js';
import { checkRun } from '../lstm-cell.js';
import { createStaging, type Arena } from './arena.js';
import { lstmCellModuleBytes, type LstmCellExports } from './lstm-cell-module.js';
import { webAssembly } from './webassembly.js';

export type LstmCellKernels = Pick<Kernels, 'cellForward' | 'cellBackward'>;

/** A run of floats a kernel reads or writes: array, first element, length. */
type Part = readonly [array: Float32Array, offset: number, length: number];

/**
 * The LSTM cells' step (lstm-cell.ts) on WebAssembly SIMD
 * (wasm/lstm-cell-module.ts). Arrays in the arena's memory are used in
 * place; when any is not, every run the step touches is copied through a
 * staging area and back, so results never depend on where arrays live.
 */
export function createLstmCellKernels(arena: Arena): LstmCellKernels {
  const shared = arena.memory.buffer instanceof SharedArrayBuffer;
  const wasm = new webAssembly.Instance(new webAssembly.Module(lstmCellModuleBytes(shared)), { env: { memory: arena.memory } })
    .exports as unknown as LstmCellExports;
  const staging = createStaging(arena);

  /** Runs `kernel` on the byte addresses of `parts`, staged when not all of them live in the memory. */
  const run = (parts: readonly Part[], kernel: (addresses: readonly number[]) => void): void => {
    for (const [x, offset, length] of parts) checkRun(x, offset, length);
    if (parts.every(([x]) => arena.owns(x.buffer))) {
      kernel(parts.map(([x, offset]) => x.byteOffset + 4 * offset));
      return;
    }
    let at = staging.ensure(parts.reduce((sum, [, , length]) => sum + length, 0));
    const buffer = arena.buffer(); // after any growth for staging
    const copies = parts.map(([x, offset, length]) => {
      const copy = new Float32Array(buffer, at, length);
      at += 4 * length;
      copy.set(x.subarray(offset, offset + length));
      return copy;
    });
    kernel(copies.map((copy) => copy.byteOffset));
    parts.forEach(([x, offset], i) => x.set(copies[i], offset));
  };

  const cellForward: Kernels['cellForward'] = (C, rows, cellClip, peephole, gates, gatesAt, c, prevAt, curAt, hc, clipped, m, outAt) => {
    const cells = rows * C;
    const parts: Part[] = [
      [gates, gatesAt, 4 * cells],
      [c, prevAt, cells],
      [c, curAt, cells],
      [hc, outAt, cells],
      [clipped, outAt, cells],
      [m, outAt, cells],
    ];
    if (peephole) parts.push([peephole, 0, 3 * C]);
    run(parts, ([pg, pPrev, pCur, pHc, pClipped, pM, pPeep]) => {
      if (peephole) wasm.cellForwardPeep(C, rows, cellClip, pg, pPrev, pCur, pHc, pClipped, pM, pPeep);
      else wasm.cellForward(C, rows, cellClip, pg, pPrev, pCur, pHc, pClipped, pM);
    });
  };

  const cellBackward: Kernels['cellBackward'] = (C, rows, peephole, dPeephole, gates, gatesAt, hc, clipped, outAt, c, prevAt, curAt, dm, dmAt, dc, dGates) => {
    if (!peephole !== !dPeephole) throw new RangeError('lstm cell step: peepholes and their gradient go together');
    const cells = rows * C;
    const parts: Part[] = [
      [gates, gatesAt, 4 * cells],
      [hc, outAt, cells],
      [clipped, outAt, cells],
      [c, prevAt, cells],
      [c, curAt, cells],
      [dm, dmAt, cells],
      [dc, 0, cells],
      [dGates, gatesAt, 4 * cells],
    ];
    if (peephole && dPeephole) parts.push([peephole, 0, 3 * C], [dPeephole, 0, 3 * C]);
    run(parts, ([pg, pHc, pClipped, pPrev, pCur, pDm, pDc, pDGates, pPeep, pDPeep]) => {
      if (peephole) wasm.cellBackwardPeep(C, rows, pg, pHc, pClipped, pPrev, pCur, pDm, pDc, pDGates, pPeep, pDPeep);
      else wasm.cellBackward(C, rows, pg, pHc, pClipped, pPrev, pCur, pDm, pDc, pDGates);
    });
  };

  return { cellForward, cellBackward };
}
