import { clip, sigmoid } from '../../nn/activations.js';
import { checkRun } from '../checks.js';

/**
 * The elementwise part of one LSTM step (Sak et al. 2014, eqs. 1–6 less the
 * matrix products) for `rows` streams of C memory cells, forward: on entry
 * `gates` holds the pre-activations W·[x; r] + b of gates i, f, g, o (rows of
 * 4C from `gatesAt`); on return their activations, with
 *
 *     c_t = clip(f ⊙ c_{t−1} + i ⊙ g),  m_t = o ⊙ tanh(c_t)
 *
 * (peepholes [3, C], rows i, f, o, add p ⊙ c_{t−1} to i and f and p ⊙ c_t to
 * o). c_{t−1} and c_t are rows of C in `c` from `prevAt` and `curAt`;
 * tanh(c_t), the clip mask (1 where the cell was clipped) and m_t go to rows
 * of C from `outAt`.
 *
 * @example
 * // step t of a [T, B] chunk
 * cellForward(C, B, 50, peephole, gates, t * B * 4 * C, c, t * B * C, (t + 1) * B * C, hc, clipped, m, t * B * C);
 */
export function cellForward(
  cells: number,
  rows: number,
  cellClip: number,
  peephole: Float32Array | null,
  gates: Float32Array,
  gatesAt: number,
  c: Float32Array,
  prevAt: number,
  curAt: number,
  hc: Float32Array,
  clipped: Float32Array,
  m: Float32Array,
  outAt: number,
): void {
  const C = cells;
  const n = rows * C;
  checkRun(gates, gatesAt, 4 * n);
  checkRun(c, prevAt, n);
  checkRun(c, curAt, n);
  checkRun(hc, outAt, n); // one call each: an array literal to loop over was allocated on every call
  checkRun(clipped, outAt, n);
  checkRun(m, outAt, n);
  if (peephole) checkRun(peephole, 0, 3 * C);
  for (let b = 0; b < rows; b++) {
    const gi = gatesAt + b * 4 * C;
    const prev = prevAt + b * C;
    const cur = curAt + b * C;
    const out = outAt + b * C;
    for (let j = 0; j < C; j++) {
      const cPrev = c[prev + j];
      let zi = gates[gi + j];
      let zf = gates[gi + C + j];
      let zo = gates[gi + 3 * C + j];
      if (peephole) {
        zi += peephole[j] * cPrev;
        zf += peephole[C + j] * cPrev;
      }
      const i = sigmoid(zi);
      const f = sigmoid(zf);
      const g = Math.tanh(gates[gi + 2 * C + j]);
      const cRaw = f * cPrev + i * g;
      const cNew = clip(cRaw, cellClip);
      if (peephole) zo += peephole[2 * C + j] * cNew;
      const o = sigmoid(zo);
      const h = Math.tanh(cNew);
      gates[gi + j] = i;
      gates[gi + C + j] = f;
      gates[gi + 2 * C + j] = g;
      gates[gi + 3 * C + j] = o;
      c[cur + j] = cNew;
      clipped[out + j] = cNew !== cRaw ? 1 : 0;
      hc[out + j] = h;
      m[out + j] = o * h;
    }
  }
}

/**
 * {@link cellForward} backward for one step: from ∂L/∂m_t (`dm`, rows of C
 * from `dmAt`) and ∂L/∂c_t through the later steps (`dc`, rows of C from 0),
 * writes ∂L/∂(gate pre-activations) to `dGates` (laid out as `gates`),
 * replaces `dc` by ∂L/∂c_{t−1} and adds the peepholes' gradient to
 * `dPeephole` (null exactly when `peephole` is). A clipped cell passes no
 * gradient.
 */
export function cellBackward(
  cells: number,
  rows: number,
  peephole: Float32Array | null,
  dPeephole: Float32Array | null,
  gates: Float32Array,
  gatesAt: number,
  hc: Float32Array,
  clipped: Float32Array,
  outAt: number,
  c: Float32Array,
  prevAt: number,
  curAt: number,
  dm: Float32Array,
  dmAt: number,
  dc: Float32Array,
  dGates: Float32Array,
): void {
  const C = cells;
  const n = rows * C;
  if (!peephole !== !dPeephole) throw new RangeError('lstm cell step: peepholes and their gradient go together');
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
  for (let b = 0; b < rows; b++) {
    const gi = gatesAt + b * 4 * C;
    const out = outAt + b * C;
    const prev = prevAt + b * C;
    const cur = curAt + b * C;
    const carry = b * C;
    const dmRow = dmAt + b * C;
    for (let j = 0; j < C; j++) {
      const i = gates[gi + j];
      const f = gates[gi + C + j];
      const gg = gates[gi + 2 * C + j];
      const o = gates[gi + 3 * C + j];
      const h = hc[out + j];
      const cPrev = c[prev + j];
      const dmj = dm[dmRow + j];

      const dzo = dmj * h * o * (1 - o);
      let dcj = dmj * o * (1 - h * h) + dc[carry + j];
      if (peephole) dcj += dzo * peephole[2 * C + j];
      if (clipped[out + j] !== 0) dcj = 0;

      const dzi = dcj * gg * i * (1 - i);
      const dzg = dcj * i * (1 - gg * gg);
      const dzf = dcj * cPrev * f * (1 - f);
      let dcPrev = dcj * f;
      if (peephole && dPeephole) {
        dcPrev += dzi * peephole[j] + dzf * peephole[C + j];
        dPeephole[j] += dzi * cPrev;
        dPeephole[C + j] += dzf * cPrev;
        dPeephole[2 * C + j] += dzo * c[cur + j];
      }
      dc[carry + j] = dcPrev;
      dGates[gi + j] = dzi;
      dGates[gi + C + j] = dzf;
      dGates[gi + 2 * C + j] = dzg;
      dGates[gi + 3 * C + j] = dzo;
    }
  }
}
