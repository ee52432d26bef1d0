import { assembleModule, f32x4, func } from './assembler.js';

/**
 * Whether this runtime validates relaxed SIMD (f32x4.relaxed_madd): by
 * default from Node 22 and in current browsers; on Node 20 only behind
 * V8's --experimental-wasm-relaxed-simd, which the CLI sets before any
 * module compiles. Asked by validating a one-function module, so the answer
 * is the runtime's own, whatever version or flags it has.
 */
export function relaxedSimdAvailable(): boolean {
  const f = func({ a: 'v128', b: 'v128', c: 'v128' }, {}, 'v128');
  f.body = f32x4.relaxedMadd(f.get('a'), f.get('b'), f.get('c'));
  const validate = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly.validate;
  return validate(assembleModule({ memory: { shared: false }, functions: { madd: f } }));
}
