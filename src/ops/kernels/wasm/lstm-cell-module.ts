import { assembleModule, f32x4, forRange, func, i32, v128, type Code, type WasmFunction } from './assembler.js';
import { i32s, loopLocals, overElements, sigmoid, sigmoidLocals, splat, tanh, tanhLocals, v128s, type Load, type Store } from './simd-math.js';

/**
 * The LSTM cells' elementwise step (lstm-cell.ts) as a WebAssembly SIMD
 * module, generated at run time (see assembler.ts), four cells at a time.
 * Addresses are in BYTES and point at row 0 of each array; rows follow each
 * other (4C floats apart for gates, C for the rest).
 *
 * - `cellForward(C, rows, clip, gates, prev, cur, hc, clipped, m)` and
 *   `cellForwardPeep(…, peephole)`: the forward step.
 * - `cellBackward(C, rows, gates, hc, clipped, prev, cur, dm, dc, dGates)`
 *   and `cellBackwardPeep(…, peephole, dPeephole)`: its gradient.
 *
 * σ and tanh come from simd-math.ts (Cephes' expf and tanhf), a few ulp from
 * Math.exp and Math.tanh.
 */
export function lstmCellModuleBytes(sharedMemory: boolean): Uint8Array {
  return assembleModule({
    memory: { shared: sharedMemory },
    functions: {
      cellForward: cellForward(false),
      cellForwardPeep: cellForward(true),
      cellBackward: cellBackward(false),
      cellBackwardPeep: cellBackward(true),
    },
  });
}

/** The functions {@link lstmCellModuleBytes} exports (addresses in bytes). */
export interface LstmCellExports {
  cellForward(C: number, rows: number, clip: number, gates: number, prev: number, cur: number, hc: number, clipped: number, m: number): void;
  cellForwardPeep(C: number, rows: number, clip: number, gates: number, prev: number, cur: number, hc: number, clipped: number, m: number, peephole: number): void;
  cellBackward(C: number, rows: number, gates: number, hc: number, clipped: number, prev: number, cur: number, dm: number, dc: number, dGates: number): void;
  cellBackwardPeep(
    C: number, rows: number, gates: number, hc: number, clipped: number, prev: number, cur: number, dm: number, dc: number, dGates: number,
    peephole: number, dPeephole: number,
  ): void;
}

const int = i32.constant;

/**
 * For each of `rows` rows: `body` over the C cells (see overElements), with
 * each named address local pointing at the row (advanced by 16C bytes for
 * the `gateRows` locals, 4C for the `cellRows` locals, after every row).
 * The gate row locals are named `<prefix>i`, `<prefix>f`, `<prefix>g`, `<prefix>o`.
 */
function overRows(f: WasmFunction, gateRows: readonly string[], cellRows: readonly string[], body: (load: Load, store: Store) => Code): Code {
  const g = f.get;
  const rowBytes = i32.shl(g('C'), int(2));
  const gateNames = gateRows.flatMap((prefix) => ['i', 'f', 'g', 'o'].map((gate) => prefix + gate));
  return [
    // Gate rows: i at the row start, then f, g, o one C-row further each.
    ...gateRows.flatMap((prefix) => [
      ...f.set(`${prefix}f`, i32.add(g(`${prefix}i`), rowBytes)),
      ...f.set(`${prefix}g`, i32.add(g(`${prefix}f`), rowBytes)),
      ...f.set(`${prefix}o`, i32.add(g(`${prefix}g`), rowBytes)),
    ]),
    ...f.set('row', int(0)),
    ...forRange('rows', g('row'), (v) => f.set('row', v), g('rows'), int(1), [
      ...overElements(f, g('C'), body),
      ...gateNames.map((name) => f.set(name, i32.add(g(name), i32.shl(rowBytes, int(2))))).flat(),
      ...cellRows.map((name) => f.set(name, i32.add(g(name), rowBytes))).flat(),
    ]),
  ];
}

function cellForward(peepholes: boolean): WasmFunction {
  const f = func(
    { ...i32s('C', 'rows'), clip: 'f32', ...i32s('gi', 'prev', 'cur', 'hc', 'clipped', 'm', ...(peepholes ? ['pi'] : [])) },
    {
      ...loopLocals,
      ...i32s('row', 'gf', 'gg', 'go', 'pf', 'po'),
      ...sigmoidLocals,
      ...tanhLocals,
      ...v128s('clipV', 'lowV', 'cp', 'vi', 'vf', 'vg', 'vo', 'raw', 'cn', 'h'),
    },
  );
  const g = f.get;
  const rowBytes = i32.shl(g('C'), int(2));
  f.body = [
    ...f.set('clipV', f32x4.splat(g('clip'))),
    ...f.set('lowV', f32x4.neg(g('clipV'))),
    ...(peepholes ? [...f.set('pf', i32.add(g('pi'), rowBytes)), ...f.set('po', i32.add(g('pf'), rowBytes))] : []),
    ...overRows(f, ['g'], ['prev', 'cur', 'hc', 'clipped', 'm'], (load, store) => {
      const peep = (row: string, c: Code, z: Code): Code => (peepholes ? f32x4.add(z, f32x4.mul(load(g(row)), c)) : z);
      return [
        ...f.set('cp', load(g('prev'))),
        ...f.set('vi', sigmoid(f, peep('pi', g('cp'), load(g('gi'))))),
        ...f.set('vf', sigmoid(f, peep('pf', g('cp'), load(g('gf'))))),
        ...f.set('vg', tanh(f, load(g('gg')))),
        ...f.set('raw', f32x4.add(f32x4.mul(g('vf'), g('cp')), f32x4.mul(g('vi'), g('vg')))),
        // clip as `x > clip ? clip : x < −clip ? −clip : x`
        ...f.set('cn', f32x4.pmin(f32x4.pmax(g('raw'), g('lowV')), g('clipV'))),
        ...f.set('vo', sigmoid(f, peep('po', g('cn'), load(g('go'))))),
        ...f.set('h', tanh(f, g('cn'))),
        ...store(g('gi'), g('vi')),
        ...store(g('gf'), g('vf')),
        ...store(g('gg'), g('vg')),
        ...store(g('go'), g('vo')),
        ...store(g('cur'), g('cn')),
        ...store(g('clipped'), v128.bitselect(splat(1), v128.zero(), f32x4.ne(g('cn'), g('raw')))),
        ...store(g('hc'), g('h')),
        ...store(g('m'), f32x4.mul(g('vo'), g('h'))),
      ];
    }),
  ];
  return f;
}

function cellBackward(peepholes: boolean): WasmFunction {
  const f = func(
    i32s('C', 'rows', 'gi', 'hc', 'clipped', 'prev', 'cur', 'dm', 'dc', 'di', ...(peepholes ? ['pi', 'dpi'] : [])),
    {
      ...loopLocals,
      ...i32s('row', 'gf', 'gg', 'go', 'df', 'dg', 'do', 'pf', 'po', 'dpf', 'dpo'),
      ...v128s('vi', 'vf', 'vg', 'vo', 'h', 'cp', 'dmj', 'dzo', 'dcj', 'dzi', 'dzg', 'dzf', 'dcp'),
    },
  );
  const g = f.get;
  const rowBytes = i32.shl(g('C'), int(2));
  const one = splat(1);
  const mul = (...xs: Code[]): Code => xs.reduce((a, b) => f32x4.mul(a, b));
  const oneMinus = (x: Code): Code => f32x4.sub(one, x);
  f.body = [
    ...(peepholes
      ? [
          ...f.set('pf', i32.add(g('pi'), rowBytes)),
          ...f.set('po', i32.add(g('pf'), rowBytes)),
          ...f.set('dpf', i32.add(g('dpi'), rowBytes)),
          ...f.set('dpo', i32.add(g('dpf'), rowBytes)),
        ]
      : []),
    ...overRows(f, ['g', 'd'], ['hc', 'clipped', 'prev', 'cur', 'dm', 'dc'], (load, store) => [
      ...f.set('vi', load(g('gi'))),
      ...f.set('vf', load(g('gf'))),
      ...f.set('vg', load(g('gg'))),
      ...f.set('vo', load(g('go'))),
      ...f.set('h', load(g('hc'))),
      ...f.set('cp', load(g('prev'))),
      ...f.set('dmj', load(g('dm'))),
      ...f.set('dzo', mul(g('dmj'), g('h'), g('vo'), oneMinus(g('vo')))),
      ...f.set('dcj', f32x4.add(mul(g('dmj'), g('vo'), oneMinus(f32x4.mul(g('h'), g('h')))), load(g('dc')))),
      ...(peepholes ? f.set('dcj', f32x4.add(g('dcj'), f32x4.mul(g('dzo'), load(g('po'))))) : []),
      // A clipped cell passes nothing back (a select, so even ±Infinity becomes 0).
      ...f.set('dcj', v128.bitselect(v128.zero(), g('dcj'), f32x4.ne(load(g('clipped')), v128.zero()))),
      ...f.set('dzi', mul(g('dcj'), g('vg'), g('vi'), oneMinus(g('vi')))),
      ...f.set('dzg', mul(g('dcj'), g('vi'), oneMinus(f32x4.mul(g('vg'), g('vg'))))),
      ...f.set('dzf', mul(g('dcj'), g('cp'), g('vf'), oneMinus(g('vf')))),
      ...f.set('dcp', f32x4.mul(g('dcj'), g('vf'))),
      ...(peepholes
        ? [
            ...f.set('dcp', f32x4.add(g('dcp'), f32x4.add(f32x4.mul(g('dzi'), load(g('pi'))), f32x4.mul(g('dzf'), load(g('pf')))))),
            ...store(g('dpi'), f32x4.add(load(g('dpi')), f32x4.mul(g('dzi'), g('cp')))),
            ...store(g('dpf'), f32x4.add(load(g('dpf')), f32x4.mul(g('dzf'), g('cp')))),
            ...store(g('dpo'), f32x4.add(load(g('dpo')), f32x4.mul(g('dzo'), load(g('cur'))))),
          ]
        : []),
      ...store(g('dc'), g('dcp')),
      ...store(g('di'), g('dzi')),
      ...store(g('df'), g('dzf')),
      ...store(g('dg'), g('dzg')),
      ...store(g('do'), g('dzo')),
    ]),
  ];
  return f;
}
