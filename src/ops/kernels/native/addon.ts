/**
 * THE LOADER EDGE of the native kernels: the one place in src/ops that
 * touches the file system or the environment. It loads the Node-API addon
 * that scripts/build-native.mjs built at install
 * (build/native/lstmp-native.node at the package's root), or says why there
 * is none: LSTMP_NATIVE=0 in the environment (the build's switch, honoured
 * at run time too), the reason the build wrote to build/native/not-built.txt
 * (no C compiler, not x86-64), a load failure, or a CPU without AVX2 and FMA.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The kernel functions of one context (its own packing scratch), as addon.c exports them. */
export interface NativeFunctions {
  readonly isa: string;
  readonly fmaFlopsPerIteration: number;
  sgemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: Float32Array, offA: number, lda: number, b: Float32Array, offB: number, ldb: number,
    beta: number, c: Float32Array, offC: number, ldc: number,
  ): void;
  cellForward(
    C: number, rows: number, cellClip: number, peephole: Float32Array | null, gates: Float32Array, gatesAt: number,
    c: Float32Array, prevAt: number, curAt: number, hc: Float32Array, clipped: Float32Array, m: Float32Array, outAt: number,
  ): void;
  cellBackward(
    C: number, rows: number, peephole: Float32Array | null, dPeephole: Float32Array | null, gates: Float32Array, gatesAt: number,
    hc: Float32Array, clipped: Float32Array, outAt: number, c: Float32Array, prevAt: number, curAt: number,
    dm: Float32Array, dmAt: number, dc: Float32Array, dGates: Float32Array,
  ): void;
  logSoftmaxRows(x: Float32Array, rows: number, cols: number): void;
  argmaxRows(x: Float32Array, rows: number, cols: number, out: Int32Array): void;
  /** The gradient only: the loss is summed by the caller. */
  crossEntropyGradient(logp: Float32Array, targets: Int32Array, mask: Float32Array, rows: number, cols: number, dLogits: Float32Array): void;
  sgdStep(params: Float32Array, velocity: Float32Array | null, gradient: Float32Array, offset: number, length: number, rate: number, momentum: number, clip: number): void;
  allFinite(values: Float32Array): boolean;
  /** `iterations` of the FMA peak loop (c/peak.h), fmaFlopsPerIteration flops each. */
  fmaLoop(iterations: number): number;
}

export interface NativeAddon {
  /** The instruction sets this CPU and OS run, best first. */
  readonly isas: readonly string[];
  create(isa: string): NativeFunctions;
}

export type NativeAddonLoad = { readonly addon: NativeAddon } | { readonly addon: null; readonly reason: string };

/** Where the build puts the addon: build/native at the package root, four levels above this file in src/ and in dist/. */
const BUILD = fileURLToPath(new URL('../../../../build/native/', import.meta.url));

// A module is loaded once per thread anyway; remembering the outcome saves re-reading the reason file.
let loaded: NativeAddonLoad | undefined;

/** The addon, or why there is none (one clause, for "native kernels unavailable (…)"). */
export function loadNativeAddon(): NativeAddonLoad {
  loaded ??= load();
  return loaded;
}

function load(): NativeAddonLoad {
  const off = process.env.LSTMP_NATIVE;
  if (off !== undefined && ['0', 'false', 'off', 'no'].includes(off.toLowerCase())) return { addon: null, reason: `turned off by LSTMP_NATIVE=${off}` };
  const file = `${BUILD}lstmp-native.node`;
  if (!existsSync(file)) {
    const why = `${BUILD}not-built.txt`;
    const reason = existsSync(why) ? readFileSync(why, 'utf8').trim() : 'the addon was never built (npm run build:native builds it)';
    return { addon: null, reason: `not built: ${reason}` };
  }
  try {
    const addon = createRequire(import.meta.url)(file) as NativeAddon & { why?: string };
    if (addon.isas.length === 0) return { addon: null, reason: `this CPU cannot run them: ${addon.why ?? 'no AVX2 with FMA'}` };
    return { addon };
  } catch (error) {
    return { addon: null, reason: `the addon did not load: ${String(error instanceof Error ? error.message : error).split('\n')[0]}` };
  }
}
