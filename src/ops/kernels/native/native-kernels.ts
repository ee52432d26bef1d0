import { crossEntropy } from '../../nn/cross-entropy.js';
import { checkArgmax, checkFits, checkRows, checkRun, checkSgdStep } from '../checks.js';
import type { Kernels } from '../kernels.js';
import { crossEntropyGradient as portableCrossEntropyGradient } from '../portable/softmax.js';
import { createArena } from '../wasm/arena.js';
import { webAssembly, type WasmMemory } from '../wasm/webassembly.js';
import { loadNativeAddon, type NativeFunctions } from './addon.js';

/**
 * Kernels in C with AVX2 + FMA and AVX-512F (c/), built at install as a
 * Node-API addon and picked at run time from the CPU's features: the
 * fastest set where it exists, the wasm set's drop-in replacement.
 *
 * Memory model: as the wasm set's, and on the same arena (wasm/arena.ts)
 * over a shared WebAssembly.Memory: `alloc` hands out views into it, worker
 * threads create their kernels over the main thread's `memory`, and every
 * Hogwild thread trains the one parameter buffer in place. The C code reads
 * and writes any Float32Array in place through its pointer, so arrays from
 * elsewhere cost no copies either; each instance owns its packing scratch.
 *
 * Algorithm: c/sgemm.h (three paths by shape: dot products for op(B) = Bᵀ,
 * B in place for few rows, BLIS-style packing and MR × NR outer-product
 * tiles otherwise); c/elementwise.h for the cells, softmax, update and
 * finiteness check, with the wasm set's exp and tanh (c/simd-math.h).
 *
 * Every bound is checked here, with the words every set uses (checks.ts),
 * before a call reaches the C code, which trusts them.
 */
export interface NativeKernels extends Kernels {
  /** The memory every array from `alloc` lives in; hand it to workers' createNativeKernels. */
  readonly memory: WasmMemory;
  /** A view of `length` floats at `byteOffset` in the memory (e.g. parameters another thread allocated). */
  readonly view: (byteOffset: number, length: number) => Float32Array;
  /** The instruction set the kernels run: 'avx512' or 'avx2'. */
  readonly isa: string;
  /** Runs `iterations` of the FMA peak loop (for `lstmp bench --peak`); `flopsPerIteration` each. */
  readonly fmaLoop: (iterations: number) => void;
  readonly fmaFlopsPerIteration: number;
}

export interface NativeKernelsOptions {
  /** The memory to allocate in, as createWasmKernels takes it; default a new shared memory of up to 4 GiB. */
  readonly memory?: WasmMemory;
  /** The instruction set, one of {@link nativeIsas}; default the best this CPU runs. */
  readonly isa?: string;
}

/** The instruction sets the native kernels run on this machine, best first, or why none. */
export function nativeIsas(): { readonly isas: readonly string[] } | { readonly isas: null; readonly reason: string } {
  const load = loadNativeAddon();
  return load.addon ? { isas: load.addon.isas } : { isas: null, reason: load.reason };
}

/** The native kernels; throws an Error saying why when the addon is not built or this CPU cannot run it. */
export function createNativeKernels(options: NativeKernelsOptions = {}): NativeKernels {
  const load = loadNativeAddon();
  if (!load.addon) throw new Error(`native kernels unavailable: ${load.reason}`);
  const native: NativeFunctions = load.addon.create(options.isa ?? load.addon.isas[0]);
  const memory = options.memory ?? new webAssembly.Memory({ initial: 32, maximum: 65536, shared: true });
  const arena = createArena(memory);

  const alloc = (length: number): Float32Array => {
    const pointer = arena.reserve(4 * length); // first: it may grow the memory
    return new Float32Array(arena.buffer(), pointer, length).fill(0); // a released region holds old values
  };
  const release = (array: Float32Array): void => {
    if (!arena.owns(array.buffer)) throw new RangeError('release: the array is not from these kernels\' alloc');
    arena.release(array.byteOffset, 4 * array.length);
  };
  const view = (byteOffset: number, length: number): Float32Array => new Float32Array(arena.buffer(), byteOffset, length);

  const sgemm: Kernels['sgemm'] = (transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc) => {
    if (m <= 0 || n <= 0) return;
    checkFits('C', c, offC, ldc, m, n);
    if (alpha === 0 || k <= 0) {
      native.sgemm(transA, transB, m, n, 0, 0, a, 0, 1, b, 0, 1, beta, c, offC, ldc); // only scales C
      return;
    }
    checkFits('A', a, offA, lda, transA ? k : m, transA ? m : k);
    checkFits('B', b, offB, ldb, transB ? n : k, transB ? k : n);
    native.sgemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
  };

  const cellForward: Kernels['cellForward'] = (C, rows, cellClip, peephole, gates, gatesAt, c, prevAt, curAt, hc, clipped, m, outAt) => {
    const n = rows * C;
    checkRun(gates, gatesAt, 4 * n);
    checkRun(c, prevAt, n);
    checkRun(c, curAt, n);
    checkRun(hc, outAt, n);
    checkRun(clipped, outAt, n);
    checkRun(m, outAt, n);
    if (peephole) checkRun(peephole, 0, 3 * C);
    native.cellForward(C, rows, cellClip, peephole, gates, gatesAt, c, prevAt, curAt, hc, clipped, m, outAt);
  };

  const cellBackward: Kernels['cellBackward'] = (C, rows, peephole, dPeephole, gates, gatesAt, hc, clipped, outAt, c, prevAt, curAt, dm, dmAt, dc, dGates) => {
    if (!peephole !== !dPeephole) throw new RangeError('lstm cell step: peepholes and their gradient go together');
    const n = rows * C;
    checkRun(gates, gatesAt, 4 * n);
    checkRun(dGates, gatesAt, 4 * n);
    checkRun(hc, outAt, n);
    checkRun(clipped, outAt, n);
    checkRun(c, prevAt, n);
    checkRun(c, curAt, n);
    checkRun(dm, dmAt, n);
    checkRun(dc, 0, n);
    if (peephole && dPeephole) {
      checkRun(peephole, 0, 3 * C);
      checkRun(dPeephole, 0, 3 * C);
    }
    native.cellBackward(C, rows, peephole, dPeephole, gates, gatesAt, hc, clipped, outAt, c, prevAt, curAt, dm, dmAt, dc, dGates);
  };

  const logSoftmaxRows: Kernels['logSoftmaxRows'] = (x, rows, cols) => {
    checkRows('logSoftmaxRows', x, rows, cols);
    native.logSoftmaxRows(x, rows, cols);
  };

  const argmaxRows: NonNullable<Kernels['argmaxRows']> = (x, rows, cols, out) => {
    checkArgmax(x, rows, cols, out);
    native.argmaxRows(x, rows, cols, out);
  };

  const crossEntropyGradient: Kernels['crossEntropyGradient'] = (logp, targets, mask, rows, cols, dLogits) => {
    checkRows('crossEntropyGradient', logp, rows, cols);
    checkRows('crossEntropyGradient', dLogits, rows, cols);
    // Targets or mask shorter than the rows: what the TypeScript sets make of the undefined
    // values they read past the end, which C cannot read at all.
    if (targets.length < rows || mask.length < rows) return portableCrossEntropyGradient(logp, targets, mask, rows, cols, dLogits);
    native.crossEntropyGradient(logp, targets, mask, rows, cols, dLogits);
    return crossEntropy(logp, targets, mask, rows, cols);
  };

  const sgdStep: Kernels['sgdStep'] = (params, velocity, gradient, offset, length, rate, momentum, clip) => {
    checkSgdStep(params, velocity, gradient, offset, length, momentum);
    native.sgdStep(params, velocity, gradient, offset, length, rate, momentum, clip);
  };

  return {
    name: `native-${native.isa}`,
    isa: native.isa,
    sgemm,
    alloc,
    release,
    memory,
    view,
    cellForward,
    cellBackward,
    logSoftmaxRows,
    argmaxRows,
    crossEntropyGradient,
    sgdStep,
    allFinite: (values) => native.allFinite(values),
    fmaLoop: (iterations) => void native.fmaLoop(iterations),
    fmaFlopsPerIteration: native.fmaFlopsPerIteration,
  };
}
