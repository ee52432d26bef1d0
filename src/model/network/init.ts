import type { LstmpSpec } from '../../ops/nn/lstmp.js';
import { fillUniform, mulberry32 } from '../../ops/random.js';
import { layoutOf } from './layout.js';

/** The paper's initialisation range: weights uniform in (-0.02, 0.02). */
export const INIT_RANGE = 0.02;

/** A new flat parameter buffer, every value uniform in (-range, range) from `seed`. */
export function initParameters(spec: LstmpSpec, seed: number, range = INIT_RANGE): Float32Array {
  const params = new Float32Array(layoutOf(spec).size);
  fillUniform(params, range, mulberry32(seed));
  return params;
}
