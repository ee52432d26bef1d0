import type { Kernels } from '../kernels.js';
import { createRuns, type Arena, type Runs } from './arena.js';
import { lstmCellModuleBytes, type LstmCellExports } from './lstm-cell-module.js';
import { isShared, webAssembly } from './webassembly.js';
import { checkRun } from '../checks.js';

export type LstmCellKernels = Pick<Kernels, 'cellForward' | 'cellBackward'>;

/**
 * The LSTM cells' step (lstm-cell.ts) on WebAssembly SIMD
 * (wasm/lstm-cell-module.ts). The runs the step touches are placed with
 * {@link Runs}: in place in the arena's memory, or copied through staging and
 * back, so results never depend on where arrays live.
 * Nothing is allocated per call: the step runs 2·T times per layer and chunk.
 */
export function createLstmCellKernels(arena: Arena): LstmCellKernels {
  const shared = isShared(arena.memory);
  const wasm = new webAssembly.Instance(new webAssembly.Module(lstmCellModuleBytes(shared)), { env: { memory: arena.memory } })
    .exports as unknown as LstmCellExports;
  const runs = createRuns(arena, 10, checkRun);

  const cellForward: Kernels['cellForward'] = (C, rows, cellClip, peephole, gates, gatesAt, c, prevAt, curAt, hc, clipped, m, outAt) => {
    const cells = rows * C;
    runs.clear();
    const pGates = runs.add(gates, gatesAt, 4 * cells);
    const pPrev = runs.add(c, prevAt, cells);
    const pCur = runs.add(c, curAt, cells);
    const pHc = runs.add(hc, outAt, cells);
    const pClipped = runs.add(clipped, outAt, cells);
    const pM = runs.add(m, outAt, cells);
    const pPeep = peephole ? runs.add(peephole, 0, 3 * C) : 0;
    runs.place();
    if (peephole) wasm.cellForwardPeep(C, rows, cellClip, runs.at(pGates), runs.at(pPrev), runs.at(pCur), runs.at(pHc), runs.at(pClipped), runs.at(pM), runs.at(pPeep));
    else wasm.cellForward(C, rows, cellClip, runs.at(pGates), runs.at(pPrev), runs.at(pCur), runs.at(pHc), runs.at(pClipped), runs.at(pM));
    runs.restore();
  };

  const cellBackward: Kernels['cellBackward'] = (C, rows, peephole, dPeephole, gates, gatesAt, hc, clipped, outAt, c, prevAt, curAt, dm, dmAt, dc, dGates) => {
    if (!peephole !== !dPeephole) throw new RangeError('lstm cell step: peepholes and their gradient go together');
    const cells = rows * C;
    runs.clear();
    const pGates = runs.add(gates, gatesAt, 4 * cells);
    const pHc = runs.add(hc, outAt, cells);
    const pClipped = runs.add(clipped, outAt, cells);
    const pPrev = runs.add(c, prevAt, cells);
    const pCur = runs.add(c, curAt, cells);
    const pDm = runs.add(dm, dmAt, cells);
    const pDc = runs.add(dc, 0, cells);
    const pDGates = runs.add(dGates, gatesAt, 4 * cells);
    const pPeep = peephole ? runs.add(peephole, 0, 3 * C) : 0;
    const pDPeep = dPeephole ? runs.add(dPeephole, 0, 3 * C) : 0;
    runs.place();
    if (peephole) {
      wasm.cellBackwardPeep(C, rows, runs.at(pGates), runs.at(pHc), runs.at(pClipped), runs.at(pPrev), runs.at(pCur), runs.at(pDm), runs.at(pDc), runs.at(pDGates), runs.at(pPeep), runs.at(pDPeep));
    } else {
      wasm.cellBackward(C, rows, runs.at(pGates), runs.at(pHc), runs.at(pClipped), runs.at(pPrev), runs.at(pCur), runs.at(pDm), runs.at(pDc), runs.at(pDGates));
    }
    runs.restore();
  };

  return { cellForward, cellBackward };
}
