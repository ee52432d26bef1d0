import { assembleModule, f32, f32x4, forRange, func, i32, i32x4, v128, type Code, type WasmFunction } from './assembler.js';
import { exp, expLocals, i32s, loopLocals, overElements, splat, v128s } from './simd-math.js';

/**
 * The elementwise passes of a training step as a WebAssembly SIMD module,
 * generated at run time (see assembler.ts): the parameter update, the
 * finiteness check of the gradient, and the softmax's exponentials. Addresses
 * are in BYTES, counts in elements; arrays need no alignment. Each function
 * runs four lanes at a time and finishes the last n % 4 elements one lane at
 * a time (v128.load32_zero), so nothing past an array is read or written.
 *
 * - `allFinite(p, n)`: 1 when no element is NaN or ±Infinity (x − x is 0 for
 *   every finite x and NaN otherwise: its running sum stays 0).
 * - `sgd(p, g, n, rate, clip)`: p −= rate · clamp(g, ±clip).
 * - `sgdMomentum(p, v, g, n, rate, momentum, clip)`: v = momentum · v −
 *   rate · clamp(g, ±clip); p += v.
 * - `maxOf(p, n)`: the largest element (NaN ignored, −Infinity when none).
 * - `expSum(p, n, shift)`: Σ exp(x − shift).
 * - `addConstant(p, n, c)`: x += c.
 * - `scaledExp(src, dst, n, scale)`: dst = scale · exp(src).
 *
 * exp is Cephes' expf (see simd-math.ts).
 */
export function elementwiseModuleBytes(sharedMemory: boolean): Uint8Array {
  return assembleModule({
    memory: { shared: sharedMemory },
    functions: {
      allFinite: allFinite(),
      sgd: sgd(false),
      sgdMomentum: sgd(true),
      maxOf: maxOf(),
      expSum: expSum(),
      addConstant: addConstant(),
      scaledExp: scaledExp(),
    },
  });
}

/** The functions {@link elementwiseModuleBytes} exports (addresses in bytes). */
export interface ElementwiseExports {
  allFinite(p: number, n: number): number;
  sgd(p: number, g: number, n: number, rate: number, clip: number): void;
  sgdMomentum(p: number, v: number, g: number, n: number, rate: number, momentum: number, clip: number): void;
  maxOf(p: number, n: number): number;
  expSum(p: number, n: number, shift: number): number;
  addConstant(p: number, n: number, c: number): void;
  scaledExp(src: number, dst: number, n: number, scale: number): void;
}

const int = i32.constant;

/** The sum of the four lanes of local `name`. */
const lanesSum = (f: WasmFunction, name: string): Code =>
  f32.add(f32.add(f32x4.extractLane(f.get(name), 0), f32x4.extractLane(f.get(name), 1)), f32.add(f32x4.extractLane(f.get(name), 2), f32x4.extractLane(f.get(name), 3)));

function allFinite(): WasmFunction {
  const f = func(i32s('p', 'n'), { ...loopLocals, ...v128s('x', 'sum') }, 'i32');
  const g = f.get;
  f.body = [
    ...f.set('sum', v128.zero()),
    ...overElements(f, g('n'), (load) => [...f.set('x', load(g('p'))), ...f.set('sum', f32x4.add(g('sum'), f32x4.sub(g('x'), g('x'))))]),
    ...i32x4.allTrue(f32x4.eq(g('sum'), v128.zero())),
  ];
  return f;
}

function sgd(momentum: boolean): WasmFunction {
  const f = func(
    { ...i32s('p', ...(momentum ? ['v'] : []), 'g', 'n'), rate: 'f32', ...(momentum ? { momentum: 'f32' } : {}), clip: 'f32' },
    { ...loopLocals, ...v128s('rateV', 'momentumV', 'clipV', 'lowV', 'step') },
  );
  const g = f.get;
  f.body = [
    ...f.set('rateV', f32x4.splat(g('rate'))),
    ...f.set('clipV', f32x4.splat(g('clip'))),
    ...f.set('lowV', f32x4.sub(v128.zero(), g('clipV'))),
    ...(momentum ? f.set('momentumV', f32x4.splat(g('momentum'))) : []),
    ...overElements(f, g('n'), (load, store) => [
      // clamp as `g > clip ? clip : g < −clip ? −clip : g`
      ...f.set('step', f32x4.mul(g('rateV'), f32x4.pmin(f32x4.pmax(load(g('g')), g('lowV')), g('clipV')))),
      ...(momentum ? [...f.set('step', f32x4.sub(f32x4.mul(g('momentumV'), load(g('v'))), g('step'))), ...store(g('v'), g('step'))] : []),
      ...store(g('p'), (momentum ? f32x4.add : f32x4.sub)(load(g('p')), g('step'))),
    ]),
  ];
  return f;
}

function maxOf(): WasmFunction {
  const f = func(i32s('p', 'n'), { ...loopLocals, ...v128s('best') }, 'f32');
  const g = f.get;
  const neg = splat(-Infinity);
  f.body = [
    ...f.set('best', neg),
    ...f.set('at', int(0)),
    ...f.set('end', i32.shl(i32.and(g('n'), int(-4)), int(2))),
    ...forRange('vectors', g('at'), (v) => f.set('at', v), g('end'), int(16), f.set('best', f32x4.pmax(g('best'), v128.load(i32.add(g('p'), g('at')))))),
    ...f.set('end', i32.shl(g('n'), int(2))),
    ...forRange('tail', g('at'), (v) => f.set('at', v), g('end'), int(4), f.set('best', f32x4.pmax(g('best'), v128.load32Splat(i32.add(g('p'), g('at')))))),
    ...f.set('best', f32x4.pmax(g('best'), f32x4.shuffle(g('best'), g('best'), [2, 3, 0, 1]))),
    ...f.set('best', f32x4.pmax(g('best'), f32x4.shuffle(g('best'), g('best'), [1, 0, 3, 2]))),
    ...f32x4.extractLane(g('best'), 0),
  ];
  return f;
}

function expSum(): WasmFunction {
  const f = func({ ...i32s('p', 'n'), shift: 'f32' }, { ...loopLocals, ...expLocals, ...v128s('shiftV', 'sum'), tail: 'f32' }, 'f32');
  const g = f.get;
  f.body = [
    ...f.set('shiftV', f32x4.splat(g('shift'))),
    ...f.set('sum', v128.zero()),
    ...f.set('tail', f32.constant(0)),
    ...f.set('at', int(0)),
    ...f.set('end', i32.shl(i32.and(g('n'), int(-4)), int(2))),
    ...forRange('vectors', g('at'), (v) => f.set('at', v), g('end'), int(16), [
      ...f.set('sum', f32x4.add(g('sum'), exp(f, f32x4.sub(v128.load(i32.add(g('p'), g('at'))), g('shiftV'))))),
    ]),
    ...f.set('end', i32.shl(g('n'), int(2))),
    ...forRange('tail', g('at'), (v) => f.set('at', v), g('end'), int(4), [
      ...f.set('tail', f32.add(g('tail'), f32x4.extractLane(exp(f, f32x4.sub(v128.load32Zero(i32.add(g('p'), g('at'))), g('shiftV'))), 0))),
    ]),
    ...f32.add(lanesSum(f, 'sum'), g('tail')),
  ];
  return f;
}

function addConstant(): WasmFunction {
  const f = func({ ...i32s('p', 'n'), c: 'f32' }, { ...loopLocals, ...v128s('cV') });
  const g = f.get;
  f.body = [...f.set('cV', f32x4.splat(g('c'))), ...overElements(f, g('n'), (load, store) => store(g('p'), f32x4.add(load(g('p')), g('cV'))))];
  return f;
}

function scaledExp(): WasmFunction {
  const f = func({ ...i32s('src', 'dst', 'n'), scale: 'f32' }, { ...loopLocals, ...expLocals, ...v128s('scaleV') });
  const g = f.get;
  f.body = [
    ...f.set('scaleV', f32x4.splat(g('scale'))),
    ...overElements(f, g('n'), (load, store) => store(g('dst'), f32x4.mul(g('scaleV'), exp(f, load(g('src')))))),
  ];
  return f;
}
