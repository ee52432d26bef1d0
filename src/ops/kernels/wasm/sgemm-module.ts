import {
  assembleModule,
  call,
  f32,
  f32x4,
  forRange,
  func,
  i32,
  v128,
  when,
  type Code,
  type ValueType,
  type WasmFunction,
} from './assembler.js';

/**
 * The SGEMM building blocks as a WebAssembly SIMD module, generated at run
 * time (see assembler.ts). Every address and leading dimension here is in
 * BYTES; counts (m, n, k) are elements. The driver in wasm-kernels.ts blocks
 * the product and calls these; they are:
 *
 * - `outerPacked` / `outerStrided`: C[mc×nc] (+)= alpha·A·B for one k block,
 *   as 4×8 register tiles (8 f32x4 accumulators, one splatted A value times two
 *   B vectors per k step). A is packed in 4-row panels [p][4]; B is either
 *   packed in 8-column panels [p][8] or read in place from a row-major k×n
 *   matrix (strided).
 * - `dot`: C[mc×nc] (+)= alpha·A·Bᵀ for B stored n×k (the transB case), as 4×2
 *   tiles of dot products along k, reading B rows in place; A is packed in
 *   row quads, chunk-interleaved [k/4][4 rows][4].
 * - `dotRows`: the same product for A of a row or three (a matrix-vector
 *   product, as in each step of a single stream's recurrence), as 1×4 tiles
 *   reading A and B in place: the quads of `dot` would be three quarters
 *   padding, and packing costs as much as the product.
 * - `packAN`, `packAT`, `packBN`, `packQuadsN`, `packQuadsT`: fill those
 *   layouts from plain or transposed sources. The padding of a partial panel
 *   is left as it was: it only feeds accumulator lanes that are never stored.
 *
 * Kernels write C = alpha·acc + beta·C, and C = alpha·acc when beta = 0
 * (never reading C, so NaNs there vanish); later k blocks pass beta = 1.
 *
 * Each loop iteration does one k step (one 4-wide chunk for `dot`): with
 * unrolled bodies V8's TurboFan issued every load first and spilled the
 * accumulators, which measured roughly 40% slower. One step needs 14 of the
 * 15 allocatable xmm registers and runs near the 4 FP pipes' peak in L1.
 *
 * With `relaxed` (relaxed SIMD, where the runtime has it: relaxed-simd.ts)
 * each accumulation is one f32x4.relaxed_madd, a fused multiply-add on x86
 * with FMA, instead of a multiply and an add: half the instructions, one
 * rounding instead of two.
 */
export function sgemmModuleBytes(sharedMemory: boolean, relaxed = false): Uint8Array {
  const madd = relaxed ? f32x4.relaxedMadd : (a: Code, b: Code, c: Code): Code => f32x4.add(c, f32x4.mul(a, b));
  return assembleModule({
    memory: { shared: sharedMemory },
    functions: {
      gather: gather(),
      packAN: packAN(),
      packAT: packAT(),
      packBN: packBN(),
      packQuadsN: packQuadsN(),
      packQuadsT: packQuadsT(),
      outerPacked: outerKernel(true, madd),
      outerStrided: outerKernel(false, madd),
      dot: dotKernel(madd),
      dotRows: dotRowsKernel(madd),
    },
  });
}

/** The functions {@link sgemmModuleBytes} exports (addresses and strides in bytes). */
export interface SgemmExports {
  packAN(src: number, lda: number, mc: number, kc: number, dst: number): void;
  packAT(src: number, lda: number, mc: number, kc: number, dst: number): void;
  packBN(src: number, ldb: number, kc: number, nc: number, dst: number): void;
  packQuadsN(src: number, lda: number, mc: number, kc: number, dst: number): void;
  packQuadsT(src: number, lda: number, mc: number, kc: number, dst: number): void;
  outerPacked(kc: number, mc: number, nc: number, pA: number, pB: number, pC: number, ldc: number, alpha: number, beta: number, pTile: number): void;
  outerStrided(kc: number, mc: number, nc: number, pA: number, pB: number, ldb: number, pC: number, ldc: number, alpha: number, beta: number, pTile: number): void;
  dot(kc: number, mc: number, nc: number, pA: number, pB: number, ldb: number, pC: number, ldc: number, alpha: number, beta: number): void;
  dotRows(kc: number, mc: number, nc: number, pA: number, lda: number, pB: number, ldb: number, pC: number, ldc: number, alpha: number, beta: number): void;
}

/** Bytes of the 4×8 tile scratch `outerPacked`/`outerStrided` stage edge tiles in. */
export const TILE_BYTES = 4 * 8 * 4;

/** Bytes of the packed A block of mc × kc for the outer kernels (4-row panels). */
export const packedABytes = (mc: number, kc: number): number => roundUp(mc, 4) * kc * 4;
/** Bytes of the packed B block of kc × nc (8-column panels). */
export const packedBBytes = (kc: number, nc: number): number => roundUp(nc, 8) * kc * 4;
/** Bytes of the row quads of mc × kc for the dot kernel. */
export const packedQuadsBytes = (mc: number, kc: number): number => roundUp(mc, 4) * roundUp(kc, 4) * 4;

function roundUp(x: number, to: number): number {
  return Math.ceil(x / to) * to;
}

const int = i32.constant;
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const i32s = (...names: string[]): Record<string, ValueType> => Object.fromEntries(names.map((n) => [n, 'i32']));
const v128s = (...names: string[]): Record<string, ValueType> => Object.fromEntries(names.map((n) => [n, 'v128']));

/** `name += step` */
const bump = (f: WasmFunction, name: string, step: Code): Code => f.set(name, i32.add(f.get(name), step));

/** A counted loop over local `counter` from its current value to `end` by `step`. */
const forLocal = (f: WasmFunction, label: string, counter: string, end: Code, step: Code, body: Code): Code =>
  forRange(label, f.get(counter), (v) => f.set(counter, v), end, step, body);

/** Transposes the 4×4 block in locals x0..x3 (rows) into y0..y3 (columns), via t0..t3. */
function transpose4(f: WasmFunction): Code {
  const g = f.get;
  return [
    ...f.set('t0', f32x4.shuffle(g('x0'), g('x1'), [0, 4, 1, 5])),
    ...f.set('t1', f32x4.shuffle(g('x0'), g('x1'), [2, 6, 3, 7])),
    ...f.set('t2', f32x4.shuffle(g('x2'), g('x3'), [0, 4, 1, 5])),
    ...f.set('t3', f32x4.shuffle(g('x2'), g('x3'), [2, 6, 3, 7])),
    ...f.set('y0', f32x4.shuffle(g('t0'), g('t2'), [0, 1, 4, 5])),
    ...f.set('y1', f32x4.shuffle(g('t0'), g('t2'), [2, 3, 6, 7])),
    ...f.set('y2', f32x4.shuffle(g('t1'), g('t3'), [0, 1, 4, 5])),
    ...f.set('y3', f32x4.shuffle(g('t1'), g('t3'), [2, 3, 6, 7])),
  ];
}
const transposeLocals = v128s('x0', 'x1', 'x2', 'x3', 't0', 't1', 't2', 't3', 'y0', 'y1', 'y2', 'y3');

/** gather(src, sx, sy, dst, dx, dy, nx, ny): dst[x·dx + y·dy] = src[x·sx + y·sy] for x < nx, y < ny; the scalar path for edges. */
function gather(): WasmFunction {
  const f = func(i32s('src', 'sx', 'sy', 'dst', 'dx', 'dy', 'nx', 'ny'), i32s('x', 'y', 's', 'd'));
  const g = f.get;
  f.body = [
    ...f.set('x', int(0)),
    ...forLocal(f, 'x', 'x', g('nx'), int(1), [
      ...f.set('s', i32.add(g('src'), i32.mul(g('x'), g('sx')))),
      ...f.set('d', i32.add(g('dst'), i32.mul(g('x'), g('dx')))),
      ...f.set('y', int(0)),
      ...forLocal(f, 'y', 'y', g('ny'), int(1), [
        ...f32.store(g('d'), f32.load(g('s'))),
        ...bump(f, 's', g('sy')),
        ...bump(f, 'd', g('dy')),
      ]),
    ]),
  ];
  return f;
}

const gatherCall = (src: Code, sx: Code, sy: Code, dst: Code, dx: Code, dy: Code, nx: Code, ny: Code): Code =>
  call('gather', [src, sx, sy, dst, dx, dy, nx, ny]);

/** packAN(src, lda, mc, kc, dst): A[i, p] at src + i·lda + 4p into 4-row panels [p][4], transposing 4×4 blocks. */
function packAN(): WasmFunction {
  const f = func(i32s('src', 'lda', 'mc', 'kc', 'dst'), {
    ...i32s('i', 'p', 'mFull', 'kFull', 's0', 's1', 's2', 's3', 'd'),
    ...transposeLocals,
  });
  const g = f.get;
  const rows = ['s0', 's1', 's2', 's3'];
  f.body = [
    ...f.set('mFull', i32.and(g('mc'), int(-4))),
    ...f.set('kFull', i32.and(g('kc'), int(-4))),
    ...f.set('i', int(0)),
    ...forLocal(f, 'panels', 'i', g('mFull'), int(4), [
      ...rows.flatMap((s, r) => f.set(s, i32.add(g('src'), i32.mul(i32.add(g('i'), int(r)), g('lda'))))),
      ...f.set('d', i32.add(g('dst'), i32.mul(g('i'), i32.shl(g('kc'), int(2))))),
      ...f.set('p', int(0)),
      // p counts bytes along the source rows: 16 per 4×4 block; the panel advances 64.
      ...forLocal(f, 'blocks', 'p', i32.shl(g('kFull'), int(2)), int(16), [
        ...rows.flatMap((s, r) => f.set(`x${r}`, v128.load(i32.add(g(s), g('p'))))),
        ...transpose4(f),
        ...range(4).flatMap((e) => v128.store(g('d'), g(`y${e}`), 16 * e)),
        ...bump(f, 'd', int(64)),
      ]),
      ...gatherCall(i32.add(g('s0'), i32.shl(g('kFull'), int(2))), g('lda'), int(4), g('d'), int(4), int(16), int(4), i32.sub(g('kc'), g('kFull'))),
    ]),
    ...when(i32.ltU(g('mFull'), g('mc')), [
      ...f.set('d', i32.add(g('dst'), i32.mul(g('mFull'), i32.shl(g('kc'), int(2))))),
      ...gatherCall(i32.add(g('src'), i32.mul(g('mFull'), g('lda'))), g('lda'), int(4), g('d'), int(4), int(16), i32.sub(g('mc'), g('mFull')), g('kc')),
    ]),
  ];
  return f;
}

/** packAT(src, lda, mc, kc, dst): A[i, p] at src + p·lda + 4i (A stored transposed) into 4-row panels [p][4]. */
function packAT(): WasmFunction {
  const f = func(i32s('src', 'lda', 'mc', 'kc', 'dst'), i32s('i', 'mFull', 's', 'd', 'dEnd'));
  const g = f.get;
  f.body = [
    ...f.set('mFull', i32.and(g('mc'), int(-4))),
    ...f.set('i', int(0)),
    ...forLocal(f, 'panels', 'i', g('mFull'), int(4), [
      ...f.set('s', i32.add(g('src'), i32.shl(g('i'), int(2)))),
      ...f.set('d', i32.add(g('dst'), i32.mul(g('i'), i32.shl(g('kc'), int(2))))),
      ...f.set('dEnd', i32.add(g('d'), i32.shl(g('kc'), int(4)))),
      ...forLocal(f, 'steps', 'd', g('dEnd'), int(16), [...v128.store(g('d'), v128.load(g('s'))), ...bump(f, 's', g('lda'))]),
    ]),
    ...when(i32.ltU(g('mFull'), g('mc')), [
      ...f.set('d', i32.add(g('dst'), i32.mul(g('mFull'), i32.shl(g('kc'), int(2))))),
      ...gatherCall(i32.add(g('src'), i32.shl(g('mFull'), int(2))), int(4), g('lda'), g('d'), int(4), int(16), i32.sub(g('mc'), g('mFull')), g('kc')),
    ]),
  ];
  return f;
}

/** packBN(src, ldb, kc, nc, dst): B[p, j] at src + p·ldb + 4j into 8-column panels [p][8]. */
function packBN(): WasmFunction {
  const f = func(i32s('src', 'ldb', 'kc', 'nc', 'dst'), i32s('j', 'nFull', 's', 'd', 'dEnd'));
  const g = f.get;
  f.body = [
    ...f.set('nFull', i32.and(g('nc'), int(-8))),
    ...f.set('j', int(0)),
    ...forLocal(f, 'panels', 'j', g('nFull'), int(8), [
      ...f.set('s', i32.add(g('src'), i32.shl(g('j'), int(2)))),
      ...f.set('d', i32.add(g('dst'), i32.mul(g('j'), i32.shl(g('kc'), int(2))))),
      ...f.set('dEnd', i32.add(g('d'), i32.shl(g('kc'), int(5)))),
      ...forLocal(f, 'steps', 'd', g('dEnd'), int(32), [
        ...v128.store(g('d'), v128.load(g('s'))),
        ...v128.store(g('d'), v128.load(g('s'), 16), 16),
        ...bump(f, 's', g('ldb')),
      ]),
    ]),
    ...when(i32.ltU(g('nFull'), g('nc')), [
      ...f.set('d', i32.add(g('dst'), i32.mul(g('nFull'), i32.shl(g('kc'), int(2))))),
      ...gatherCall(i32.add(g('src'), i32.shl(g('nFull'), int(2))), int(4), g('ldb'), g('d'), int(4), int(32), i32.sub(g('nc'), g('nFull')), g('kc')),
    ]),
  ];
  return f;
}

/**
 * packQuadsN(src, lda, mc, kc, dst): A[i, p] at src + i·lda + 4p into row
 * quads [k/4][4 rows][4] (roundUp(kc, 4)·16 bytes per quad).
 */
function packQuadsN(): WasmFunction {
  const f = func(i32s('src', 'lda', 'mc', 'kc', 'dst'), i32s('i', 'r', 'rows', 'p', 'kFull', 'rowBytes', 's', 'd'));
  const g = f.get;
  f.body = [
    ...f.set('kFull', i32.and(g('kc'), int(-4))),
    // A quad is four rows of roundUp(kc, 4) floats, so quad i/4 starts at i·rowBytes.
    ...f.set('rowBytes', i32.shl(i32.and(i32.add(g('kc'), int(3)), int(-4)), int(2))),
    ...f.set('i', int(0)),
    ...forLocal(f, 'quads', 'i', g('mc'), int(4), [
      ...f.set('rows', i32.sub(g('mc'), g('i'))),
      ...when(i32.gtU(g('rows'), int(4)), f.set('rows', int(4))),
      ...f.set('r', int(0)),
      ...forLocal(f, 'rows', 'r', g('rows'), int(1), [
        ...f.set('s', i32.add(g('src'), i32.mul(i32.add(g('i'), g('r')), g('lda')))),
        ...f.set('d', i32.add(i32.add(g('dst'), i32.mul(g('i'), g('rowBytes'))), i32.shl(g('r'), int(4)))),
        ...f.set('p', int(0)),
        ...forLocal(f, 'chunks', 'p', i32.shl(g('kFull'), int(2)), int(16), [
          ...v128.store(g('d'), v128.load(i32.add(g('s'), g('p')))),
          ...bump(f, 'd', int(64)),
        ]),
        ...gatherCall(i32.add(g('s'), g('p')), int(0), int(4), g('d'), int(0), int(4), int(1), i32.sub(g('kc'), g('kFull'))),
      ]),
    ]),
  ];
  return f;
}

/** packQuadsT(src, lda, mc, kc, dst): A[i, p] at src + p·lda + 4i (A stored transposed) into row quads, transposing 4×4 blocks. */
function packQuadsT(): WasmFunction {
  const f = func(i32s('src', 'lda', 'mc', 'kc', 'dst'), {
    ...i32s('i', 'p', 'n', 'mFull', 'kFull', 'rowBytes', 's', 'd'),
    ...transposeLocals,
  });
  const g = f.get;
  const lda4 = i32.shl(g('lda'), int(2));
  f.body = [
    ...f.set('mFull', i32.and(g('mc'), int(-4))),
    ...f.set('kFull', i32.and(g('kc'), int(-4))),
    ...f.set('rowBytes', i32.shl(i32.and(i32.add(g('kc'), int(3)), int(-4)), int(2))),
    ...f.set('i', int(0)),
    ...forLocal(f, 'quads', 'i', g('mFull'), int(4), [
      ...f.set('d', i32.add(g('dst'), i32.mul(g('i'), g('rowBytes')))),
      ...f.set('s', i32.add(g('src'), i32.shl(g('i'), int(2)))),
      ...f.set('p', int(0)),
      ...forLocal(f, 'chunks', 'p', g('kFull'), int(4), [
        ...range(4).flatMap((e) => f.set(`x${e}`, v128.load(i32.add(g('s'), i32.mul(g('lda'), int(e)))))),
        ...transpose4(f),
        ...range(4).flatMap((r) => v128.store(g('d'), g(`y${r}`), 16 * r)),
        ...bump(f, 'd', int(64)),
        ...bump(f, 's', lda4),
      ]),
      ...gatherCall(g('s'), int(4), g('lda'), g('d'), int(16), int(4), int(4), i32.sub(g('kc'), g('kFull'))),
    ]),
    ...when(i32.ltU(g('mFull'), g('mc')), [
      ...f.set('d', i32.add(g('dst'), i32.mul(g('mFull'), g('rowBytes')))),
      ...f.set('s', i32.add(g('src'), i32.shl(g('mFull'), int(2)))),
      ...f.set('p', int(0)),
      ...forLocal(f, 'chunks', 'p', g('kc'), int(4), [
        ...f.set('n', i32.sub(g('kc'), g('p'))),
        ...when(i32.gtU(g('n'), int(4)), f.set('n', int(4))),
        ...gatherCall(g('s'), int(4), g('lda'), g('d'), int(16), int(4), i32.sub(g('mc'), g('mFull')), g('n')),
        ...bump(f, 'd', int(64)),
        ...bump(f, 's', lda4),
      ]),
    ]),
  ];
  return f;
}

const acc = (r: number, c: number): string => `acc${r}${c}`;

/** a·b + c: f32x4.relaxed_madd, or a multiply and an add. */
type Madd = (a: Code, b: Code, c: Code) => Code;

/**
 * The 4×8 outer-product kernel over one k block: for each 8-column panel of
 * B and each 4-row panel of A, 8 accumulators gather Σ_p A[i..i+3, p] ⊗
 * B[p, j..j+7], then one pass writes the tile. With `packedB`, B panels are
 * [p][8] blocks of kc·32 bytes; otherwise B is read in place, row stride ldb.
 */
function outerKernel(packedB: boolean, madd: Madd): WasmFunction {
  const params: Record<string, ValueType> = {
    ...i32s('kc', 'mc', 'nc', 'pA', 'pB', ...(packedB ? [] : ['ldb']), 'pC', 'ldc'),
    alpha: 'f32',
    beta: 'f32',
    pTile: 'i32',
  };
  const accs = range(4).flatMap((r) => [acc(r, 0), acc(r, 1)]);
  const f = func(params, {
    ...i32s('i', 'j', 'a', 'aEnd', 'b', 'cp', 't', 'r', 'col', 'rows', 'cols'),
    ...v128s(...accs, 'av', 'b0', 'b1', 'alphaV', 'betaV'),
  });
  const g = f.get;
  // One k step: two B vectors, then each row's splatted A value times both.
  const step: Code = [
    ...f.set('b0', v128.load(g('b'))),
    ...f.set('b1', v128.load(g('b'), 16)),
    ...range(4).flatMap((r) => [
      ...f.set('av', v128.load32Splat(g('a'), 4 * r)),
      ...f.set(acc(r, 0), madd(g('av'), g('b0'), g(acc(r, 0)))),
      ...f.set(acc(r, 1), madd(g('av'), g('b1'), g(acc(r, 1)))),
    ]),
  ];
  const advanceB = bump(f, 'b', packedB ? int(32) : g('ldb'));

  const scaled = (name: string): Code => f32x4.mul(g(name), g('alphaV'));
  const fullTile: Code = [
    ...f.set('t', g('cp')),
    ...when(
      f32.eq(g('beta'), f32.constant(0)),
      range(4).flatMap((r) => [
        ...v128.store(g('t'), scaled(acc(r, 0))),
        ...v128.store(g('t'), scaled(acc(r, 1)), 16),
        ...bump(f, 't', g('ldc')),
      ]),
      range(4).flatMap((r) => [
        ...v128.store(g('t'), f32x4.add(scaled(acc(r, 0)), f32x4.mul(v128.load(g('t')), g('betaV')))),
        ...v128.store(g('t'), f32x4.add(scaled(acc(r, 1)), f32x4.mul(v128.load(g('t'), 16), g('betaV'))), 16),
        ...bump(f, 't', g('ldc')),
      ]),
    ),
  ];
  // Edge tiles: stage alpha·acc in the tile scratch, then write the rows × cols that exist.
  const tileValue = f32.load(i32.add(g('pTile'), i32.shl(i32.add(i32.shl(g('r'), int(3)), g('col')), int(2))));
  const edgeTile: Code = [
    ...range(4).flatMap((r) => [...v128.store(g('pTile'), scaled(acc(r, 0)), 32 * r), ...v128.store(g('pTile'), scaled(acc(r, 1)), 32 * r + 16)]),
    ...f.set('rows', i32.sub(g('mc'), g('i'))),
    ...when(i32.gtU(g('rows'), int(4)), f.set('rows', int(4))),
    ...f.set('cols', i32.sub(g('nc'), g('j'))),
    ...when(i32.gtU(g('cols'), int(8)), f.set('cols', int(8))),
    ...f.set('r', int(0)),
    ...forLocal(f, 'edgeRows', 'r', g('rows'), int(1), [
      ...f.set('col', int(0)),
      ...forLocal(f, 'edgeCols', 'col', g('cols'), int(1), [
        ...f.set('t', i32.add(g('cp'), i32.add(i32.mul(g('r'), g('ldc')), i32.shl(g('col'), int(2))))),
        ...when(
          f32.eq(g('beta'), f32.constant(0)),
          f32.store(g('t'), tileValue),
          f32.store(g('t'), f32.add(tileValue, f32.mul(f32.load(g('t')), g('beta')))),
        ),
      ]),
    ]),
  ];

  f.body = [
    ...f.set('alphaV', f32x4.splat(g('alpha'))),
    ...f.set('betaV', f32x4.splat(g('beta'))),
    ...f.set('j', int(0)),
    ...forLocal(f, 'panelsB', 'j', g('nc'), int(8), [
      ...f.set('i', int(0)),
      ...forLocal(f, 'panelsA', 'i', g('mc'), int(4), [
        ...accs.flatMap((name) => f.set(name, v128.zero())),
        ...f.set('a', i32.add(g('pA'), i32.mul(g('i'), i32.shl(g('kc'), int(2))))),
        ...f.set('aEnd', i32.add(g('a'), i32.shl(g('kc'), int(4)))),
        ...f.set('b', packedB ? i32.add(g('pB'), i32.mul(g('j'), i32.shl(g('kc'), int(2)))) : i32.add(g('pB'), i32.shl(g('j'), int(2)))),
        ...forLocal(f, 'k', 'a', g('aEnd'), int(16), [...step, ...advanceB]),
        ...f.set('cp', i32.add(g('pC'), i32.add(i32.mul(g('i'), g('ldc')), i32.shl(g('j'), int(2))))),
        ...when(i32.and(i32.leU(i32.add(g('i'), int(4)), g('mc')), i32.leU(i32.add(g('j'), int(8)), g('nc'))), fullTile, edgeTile),
      ]),
    ]),
  ];
  return f;
}

/**
 * The dot-product kernel for B stored n×k: 4×2 tiles (4 row quads of A
 * against 2 rows of B), 8 accumulators of lane-wise products along k, reduced
 * horizontally at the end. B rows are read in place; the last k % 4 elements
 * go one lane at a time (v128.load32_zero), so nothing past a row is read.
 */
function dotKernel(madd: Madd): WasmFunction {
  const accs = range(4).flatMap((r) => [acc(r, 0), acc(r, 1)]);
  const f = func(
    { ...i32s('kc', 'mc', 'nc', 'pA', 'pB', 'ldb', 'pC', 'ldc'), alpha: 'f32', beta: 'f32' },
    { ...i32s('i', 'j', 'q', 'a', 'aEnd', 'aTailEnd', 'b0', 'b1', 't', 'rowBytes'), ...v128s(...accs, 'av', 'bv0', 'bv1', 'h') },
  );
  const g = f.get;
  const tile = (cols: 1 | 2): Code => {
    const colsRange = range(cols);
    // Four k values (or, with load32Zero, one in lane 0) of each row against each B row.
    const chunk = (load: typeof v128.load): Code => [
      ...colsRange.flatMap((c) => f.set(`bv${c}`, load(g(`b${c}`)))),
      ...range(4).flatMap((r) => [
        ...f.set('av', load(g('a'), 16 * r)),
        ...colsRange.flatMap((c) => f.set(acc(r, c), madd(g('av'), g(`bv${c}`), g(acc(r, c))))),
      ]),
    ];
    const advanceB = (bytes: number): Code => colsRange.flatMap((c) => bump(f, `b${c}`, int(bytes)));
    const write = (r: number, c: number): Code => [
      ...f.set('h', g(acc(r, c))),
      ...f.set('h', f32x4.add(g('h'), f32x4.shuffle(g('h'), g('h'), [2, 3, 0, 1]))),
      ...f.set('h', f32x4.add(g('h'), f32x4.shuffle(g('h'), g('h'), [1, 0, 3, 2]))),
      ...f.set('t', i32.add(g('pC'), i32.add(i32.mul(i32.add(g('i'), int(r)), g('ldc')), i32.shl(i32.add(g('j'), int(c)), int(2))))),
      ...when(
        f32.eq(g('beta'), f32.constant(0)),
        f32.store(g('t'), f32.mul(f32x4.extractLane(g('h'), 0), g('alpha'))),
        f32.store(g('t'), f32.add(f32.mul(f32x4.extractLane(g('h'), 0), g('alpha')), f32.mul(f32.load(g('t')), g('beta')))),
      ),
    ];
    return [
      ...colsRange.flatMap((c) => range(4).flatMap((r) => f.set(acc(r, c), v128.zero()))),
      ...f.set('a', g('q')),
      ...f.set('aEnd', i32.add(g('q'), i32.shl(i32.and(g('kc'), int(-4)), int(4)))),
      ...f.set('aTailEnd', i32.add(g('aEnd'), i32.shl(i32.and(g('kc'), int(3)), int(2)))),
      ...f.set('b0', i32.add(g('pB'), i32.mul(g('j'), g('ldb')))),
      ...(cols === 2 ? f.set('b1', i32.add(g('b0'), g('ldb'))) : []),
      ...forLocal(f, 'chunks', 'a', g('aEnd'), int(64), [...chunk(v128.load), ...advanceB(16)]),
      ...forLocal(f, 'tail', 'a', g('aTailEnd'), int(4), [...chunk(v128.load32Zero), ...advanceB(4)]),
      ...colsRange.flatMap((c) => write(0, c)),
      ...[1, 2, 3].flatMap((r) => when(i32.ltU(i32.add(g('i'), int(r)), g('mc')), colsRange.flatMap((c) => write(r, c)))),
    ];
  };
  f.body = [
    ...f.set('rowBytes', i32.shl(i32.and(i32.add(g('kc'), int(3)), int(-4)), int(2))),
    ...f.set('i', int(0)),
    ...forLocal(f, 'quads', 'i', g('mc'), int(4), [
      ...f.set('q', i32.add(g('pA'), i32.mul(g('i'), g('rowBytes')))),
      ...f.set('j', int(0)),
      ...forLocal(f, 'pairs', 'j', i32.and(g('nc'), int(-2)), int(2), tile(2)),
      ...when(i32.ltU(g('j'), g('nc')), tile(1)),
    ]),
  ];
  return f;
}

/**
 * The dot-product kernel for few rows of A: 1×4 tiles (one row of A, read in
 * place, against 4 rows of B), 4 accumulators of lane-wise products along k,
 * reduced horizontally at the end. The last k % 4 elements of each row go one
 * lane at a time, and the last nc % 4 rows of B one at a time.
 */
function dotRowsKernel(madd: Madd): WasmFunction {
  const f = func(
    { ...i32s('kc', 'mc', 'nc', 'pA', 'lda', 'pB', 'ldb', 'pC', 'ldc'), alpha: 'f32', beta: 'f32' },
    { ...i32s('i', 'j', 'a', 'aRow', 'aEnd', 'aTailEnd', 'b0', 'b1', 'b2', 'b3', 't', 'nFull'), ...v128s('s0', 's1', 's2', 's3', 'av', 'bv0', 'bv1', 'bv2', 'bv3', 'h') },
  );
  const g = f.get;
  const tile = (cols: 1 | 4): Code => {
    const colsRange = range(cols);
    const chunk = (load: typeof v128.load): Code => [
      ...f.set('av', load(g('a'))),
      ...colsRange.flatMap((c) => f.set(`bv${c}`, load(g(`b${c}`)))),
      ...colsRange.flatMap((c) => f.set(`s${c}`, madd(g('av'), g(`bv${c}`), g(`s${c}`)))),
    ];
    const advanceB = (bytes: number): Code => colsRange.flatMap((c) => bump(f, `b${c}`, int(bytes))); // the loop moves a
    const write = (c: number): Code => [
      ...f.set('h', g(`s${c}`)),
      ...f.set('h', f32x4.add(g('h'), f32x4.shuffle(g('h'), g('h'), [2, 3, 0, 1]))),
      ...f.set('h', f32x4.add(g('h'), f32x4.shuffle(g('h'), g('h'), [1, 0, 3, 2]))),
      ...f.set('t', i32.add(g('pC'), i32.add(i32.mul(g('i'), g('ldc')), i32.shl(i32.add(g('j'), int(c)), int(2))))),
      ...when(
        f32.eq(g('beta'), f32.constant(0)),
        f32.store(g('t'), f32.mul(f32x4.extractLane(g('h'), 0), g('alpha'))),
        f32.store(g('t'), f32.add(f32.mul(f32x4.extractLane(g('h'), 0), g('alpha')), f32.mul(f32.load(g('t')), g('beta')))),
      ),
    ];
    return [
      ...colsRange.flatMap((c) => f.set(`s${c}`, v128.zero())),
      ...f.set('a', g('aRow')),
      ...colsRange.flatMap((c) => f.set(`b${c}`, i32.add(g('pB'), i32.mul(i32.add(g('j'), int(c)), g('ldb'))))),
      ...forLocal(f, 'chunks', 'a', g('aEnd'), int(16), [...chunk(v128.load), ...advanceB(16)]),
      ...forLocal(f, 'tail', 'a', g('aTailEnd'), int(4), [...chunk(v128.load32Zero), ...advanceB(4)]),
      ...colsRange.flatMap((c) => write(c)),
    ];
  };
  f.body = [
    ...f.set('nFull', i32.and(g('nc'), int(-4))),
    ...f.set('i', int(0)),
    ...forLocal(f, 'rows', 'i', g('mc'), int(1), [
      ...f.set('aRow', i32.add(g('pA'), i32.mul(g('i'), g('lda')))),
      ...f.set('aEnd', i32.add(g('aRow'), i32.shl(i32.and(g('kc'), int(-4)), int(2)))),
      ...f.set('aTailEnd', i32.add(g('aRow'), i32.shl(g('kc'), int(2)))),
      ...f.set('j', int(0)),
      ...forLocal(f, 'quads', 'j', g('nFull'), int(4), tile(4)),
      ...forLocal(f, 'singles', 'j', g('nc'), int(1), tile(1)),
    ]),
  ];
  return f;
}
