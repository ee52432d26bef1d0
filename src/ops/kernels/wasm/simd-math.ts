import { f32, f32x4, forRange, i32, i32x4, v128, type Code, type ValueType, type WasmFunction } from './assembler.js';

/**
 * Code generators shared by the elementwise WebAssembly modules: lane-wise
 * exp, the logistic function and tanh on f32x4 values, and the loop that
 * runs a body four lanes at a time with a one-lane tail. Each math helper
 * leaves its result on the stack and uses the locals named in its `…Locals`
 * record, which the function must declare.
 *
 * exp is Cephes' expf: x = n·ln 2 + r with |r| ≤ ln 2 / 2, a degree-7
 * polynomial for e^r, 2^n built in the exponent bits; within 2 ulp of
 * Math.exp for x in [−87.3, 88]. Inputs are clamped to that range (below it
 * gives 2^−126 instead of 0 or a denormal, above it e^88); NaN stays NaN.
 * tanh is Cephes' tanhf: an odd polynomial for |x| < 0.625, where
 * 1 − 2 / (e^2x + 1) would lose digits to cancellation, that formula beyond.
 */

export const i32s = (...names: string[]): Record<string, ValueType> => Object.fromEntries(names.map((n) => [n, 'i32']));
export const v128s = (...names: string[]): Record<string, ValueType> => Object.fromEntries(names.map((n) => [n, 'v128']));
/** A float in all four lanes. */
export const splat = (v: number): Code => f32x4.splat(f32.constant(v));

export const expLocals = v128s('ex', 'en', 'er', 'ey');

/** Lane-wise e^x. */
export function exp(f: WasmFunction, x: Code): Code {
  const g = f.get;
  const poly = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
  return [
    ...f.set('ex', f32x4.pmin(f32x4.pmax(x, splat(-87.33654)), splat(88))),
    ...f.set('en', f32x4.nearest(f32x4.mul(g('ex'), splat(Math.LOG2E)))),
    // r = x − n·ln 2, with ln 2 split in two so n·0.693359375 is exact.
    ...f.set('er', f32x4.sub(f32x4.sub(g('ex'), f32x4.mul(g('en'), splat(0.693359375))), f32x4.mul(g('en'), splat(-2.12194440e-4)))),
    ...f.set('ey', splat(poly[0])),
    ...poly.slice(1).flatMap((c) => f.set('ey', f32x4.add(f32x4.mul(g('ey'), g('er')), splat(c)))),
    ...f.set('ey', f32x4.add(f32x4.add(f32x4.mul(g('ey'), f32x4.mul(g('er'), g('er'))), g('er')), splat(1))),
    // 2^n: n + 127 in the exponent bits (n ≥ −126 after the clamp, so never a denormal).
    ...f32x4.mul(g('ey'), i32x4.shl(i32x4.add(i32x4.truncSatF32x4(g('en')), i32x4.splat(i32.constant(127))), i32.constant(23))),
  ];
}

export const sigmoidLocals = expLocals;

/** Lane-wise 1 / (1 + e^−x). */
export function sigmoid(f: WasmFunction, x: Code): Code {
  return f32x4.div(splat(1), f32x4.add(splat(1), exp(f, f32x4.neg(x))));
}

export const tanhLocals = { ...expLocals, ...v128s('tx', 'tz') };

/** Lane-wise tanh x. */
export function tanh(f: WasmFunction, x: Code): Code {
  const g = f.get;
  const poly = [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1];
  let p: Code = splat(poly[0]);
  for (const c of poly.slice(1)) p = f32x4.add(f32x4.mul(p, g('tz')), splat(c));
  return [
    ...f.set('tx', x),
    ...f.set('tz', f32x4.mul(g('tx'), g('tx'))),
    ...v128.bitselect(
      f32x4.add(g('tx'), f32x4.mul(f32x4.mul(g('tx'), g('tz')), p)),
      f32x4.sub(splat(1), f32x4.div(splat(2), f32x4.add(exp(f, f32x4.add(g('tx'), g('tx'))), splat(1)))),
      f32x4.lt(f32x4.abs(g('tx')), splat(0.625)),
    ),
  ];
}

/** The locals {@link overElements} uses. */
export const loopLocals = i32s('at', 'end');

/** How {@link overElements} reads and writes lanes: at a byte address plus the current element's byte offset. */
export type Load = (address: Code) => Code;
export type Store = (address: Code, value: Code) => Code;

/**
 * `body(load, store)` over elements 0..n−1: once per 4 lanes, then once per
 * remaining element with lane 0 only (the loads' other lanes zero, the
 * stores writing lane 0), so nothing past n is read or written. `load(a)`
 * reads the lanes at a + the current byte offset, `store(a, v)` writes them.
 */
export function overElements(f: WasmFunction, n: Code, body: (load: Load, store: Store) => Code): Code {
  const g = f.get;
  const at = (address: Code): Code => i32.add(address, g('at'));
  return [
    ...f.set('at', i32.constant(0)),
    ...f.set('end', i32.shl(i32.and(n, i32.constant(-4)), i32.constant(2))),
    ...forRange('vectors', g('at'), (v) => f.set('at', v), g('end'), i32.constant(16), body((a) => v128.load(at(a)), (a, v) => v128.store(at(a), v))),
    ...f.set('end', i32.shl(n, i32.constant(2))),
    ...forRange('tail', g('at'), (v) => f.set('at', v), g('end'), i32.constant(4), body((a) => v128.load32Zero(at(a)), (a, v) => f32.store(at(a), f32x4.extractLane(v, 0)))),
  ];
}
