/**
 * What each kernel computes, written out plainly in float64 from its
 * definition: the oracles kernel sets are checked against. Slow and simple on
 * purpose; none of them calls a kernel.
 */

/** One sgemm call's arguments (see `Kernels['sgemm']`), C as it was before the call. */
export interface SgemmCall {
  readonly transA: boolean;
  readonly transB: boolean;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly alpha: number;
  readonly a: ArrayLike<number>;
  readonly offA: number;
  readonly lda: number;
  readonly b: ArrayLike<number>;
  readonly offB: number;
  readonly ldb: number;
  readonly beta: number;
  readonly c: ArrayLike<number>;
  readonly offC: number;
  readonly ldc: number;
}

/**
 * C = alpha · op(A) · op(B) + beta · C by a float64 triple loop, for the
 * whole array C (elements outside the m × n block keep their values, with a
 * bound of 0), and per element a bound on a float32 kernel's rounding: twice
 * (k + 4) unit roundoffs of the sum's magnitude, plus an absolute slack
 * where results are subnormal. With beta = 0, C's old values are not read
 * (NaN there vanishes).
 */
export function referenceSgemm(call: SgemmCall): { readonly expected: Float64Array; readonly bound: Float64Array } {
  const { transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc } = call;
  const at = (x: ArrayLike<number>, off: number, ld: number, trans: boolean, row: number, col: number) => (trans ? x[off + col * ld + row] : x[off + row * ld + col]);
  const unitRoundoff = 2 ** -24;
  const expected = Float64Array.from(c);
  const bound = new Float64Array(c.length);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      let magnitude = 0;
      for (let p = 0; p < k; p++) {
        const term = at(a, offA, lda, transA, i, p) * at(b, offB, ldb, transB, p, j);
        sum += term;
        magnitude += Math.abs(term);
      }
      const index = offC + i * ldc + j;
      const old = beta === 0 ? 0 : beta * c[index];
      expected[index] = alpha * sum + old;
      bound[index] = 2 * (k + 4) * (unitRoundoff * (Math.abs(alpha) * magnitude + Math.abs(old)) + 2 ** -149);
    }
  }
  return { expected, bound };
}

/** One LSTM step's inputs for `rows` streams of C cells, each array holding just those rows. */
export interface CellStepInput {
  readonly cells: number;
  readonly rows: number;
  readonly cellClip: number;
  /** [3, C] rows i, f, o, or null without peepholes */
  readonly peephole: ArrayLike<number> | null;
  /** [rows, 4C] gate pre-activations i, f, g, o */
  readonly gates: ArrayLike<number>;
  /** [rows, C] c_{t−1} */
  readonly cPrev: ArrayLike<number>;
  /** [rows, C] ∂L/∂m_t */
  readonly dm: ArrayLike<number>;
  /** [rows, C] ∂L/∂c_t through the later steps */
  readonly dc: ArrayLike<number>;
  /** [3, C] the peepholes' gradient so far (the step adds to it); ignored without peepholes */
  readonly dPeephole: ArrayLike<number>;
}

/** What {@link referenceCellStep} returns: the forward step's outputs and the backward step's gradients. */
export interface CellStepResult {
  /** [rows, 4C] gate activations i, f, g, o */
  readonly gates: Float64Array;
  /** [rows, C] c_t, clipped */
  readonly c: Float64Array;
  /** [rows, C] c_t before the clip (a cell was clipped where it differs from c) */
  readonly raw: Float64Array;
  /** [rows, C] tanh(c_t) */
  readonly hc: Float64Array;
  /** [rows, C] m_t = o ⊙ tanh(c_t) */
  readonly m: Float64Array;
  /** [rows, 4C] ∂L/∂(gate pre-activations) */
  readonly dGates: Float64Array;
  /** [rows, C] ∂L/∂c_{t−1} */
  readonly dcPrev: Float64Array;
  /** [3, C] dPeephole plus this step's gradient (the input's values without peepholes) */
  readonly dPeephole: Float64Array;
}

/**
 * One LSTM step forward and backward, in float64, from the paper's equations
 * (Sak et al. 2014, eqs. 1–6 less the matrix products), one cell at a time:
 *
 *     i = σ(z_i + p_i ⊙ c_{t−1}), f = σ(z_f + p_f ⊙ c_{t−1}), g = tanh(z_g)
 *     c_t = clip(f ⊙ c_{t−1} + i ⊙ g), o = σ(z_o + p_o ⊙ c_t), m_t = o ⊙ tanh(c_t)
 *
 * and their derivatives; a clipped cell passes no gradient.
 */
export function referenceCellStep(step: CellStepInput): CellStepResult {
  const { cells: C, rows, cellClip } = step;
  const n = rows * C;
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
  const p = (row: number, j: number) => (step.peephole ? step.peephole[row * C + j] : 0);
  const out = {
    gates: new Float64Array(4 * n),
    c: new Float64Array(n),
    raw: new Float64Array(n),
    hc: new Float64Array(n),
    m: new Float64Array(n),
    dGates: new Float64Array(4 * n),
    dcPrev: new Float64Array(n),
    dPeephole: Float64Array.from(step.dPeephole),
  };
  for (let b = 0; b < rows; b++) {
    for (let j = 0; j < C; j++) {
      const z = (gate: number) => step.gates[b * 4 * C + gate * C + j];
      const at = b * C + j;
      const cPrev = step.cPrev[at];
      const i = sigmoid(z(0) + p(0, j) * cPrev);
      const f = sigmoid(z(1) + p(1, j) * cPrev);
      const g = Math.tanh(z(2));
      const raw = f * cPrev + i * g;
      const cell = Math.max(-cellClip, Math.min(cellClip, raw));
      const o = sigmoid(z(3) + p(2, j) * cell);
      const h = Math.tanh(cell);
      [out.gates[b * 4 * C + j], out.gates[b * 4 * C + C + j], out.gates[b * 4 * C + 2 * C + j], out.gates[b * 4 * C + 3 * C + j]] = [i, f, g, o];
      [out.c[at], out.raw[at], out.hc[at], out.m[at]] = [cell, raw, h, o * h];

      const dm = step.dm[at];
      const dzo = dm * h * o * (1 - o);
      const clipped = cell !== raw;
      const dcell = clipped ? 0 : dm * o * (1 - h * h) + step.dc[at] + dzo * p(2, j);
      const [dzi, dzf, dzg] = [dcell * g * i * (1 - i), dcell * cPrev * f * (1 - f), dcell * i * (1 - g * g)];
      [out.dGates[b * 4 * C + j], out.dGates[b * 4 * C + C + j], out.dGates[b * 4 * C + 2 * C + j], out.dGates[b * 4 * C + 3 * C + j]] = [dzi, dzf, dzg, dzo];
      out.dcPrev[at] = dcell * f + dzi * p(0, j) + dzf * p(1, j);
      if (step.peephole) {
        out.dPeephole[j] += dzi * cPrev;
        out.dPeephole[C + j] += dzf * cPrev;
        out.dPeephole[2 * C + j] += dzo * cell;
      }
    }
  }
  return out;
}

/** Each row's arg-max by brute force: the lowest index whose value no other value exceeds. */
export function referenceArgmaxRows(x: ArrayLike<number>, rows: number, cols: number): Int32Array {
  return Int32Array.from({ length: rows }, (_, r) => {
    const row = Array.from({ length: cols }, (_, j) => x[r * cols + j]);
    return row.findIndex((v) => row.every((w) => !(w > v)));
  });
}

/** Log-softmax of each row of a [rows, cols] matrix in float64: x − max − log Σ exp(x − max). */
export function referenceLogSoftmaxRows(x: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const logp = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let j = 0; j < cols; j++) max = Math.max(max, x[r * cols + j]);
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(x[r * cols + j] - max);
    const logZ = max + Math.log(sum);
    for (let j = 0; j < cols; j++) logp[r * cols + j] = x[r * cols + j] - logZ;
  }
  return logp;
}

/**
 * The summed masked cross entropy of log-probabilities [rows, cols] and its
 * gradient with respect to the logits, in float64: loss = −Σ mask · logp[target],
 * dLogits = mask · (exp(logp) − onehot(target)), zero on masked rows.
 */
export function referenceCrossEntropyGradient(
  logp: ArrayLike<number>,
  targets: ArrayLike<number>,
  mask: ArrayLike<number>,
  rows: number,
  cols: number,
): { readonly loss: number; readonly dLogits: Float64Array } {
  let loss = 0;
  const dLogits = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    if (mask[r] === 0) continue;
    loss -= mask[r] * logp[r * cols + targets[r]];
    for (let j = 0; j < cols; j++) dLogits[r * cols + j] = mask[r] * (Math.exp(logp[r * cols + j]) - (j === targets[r] ? 1 : 0));
  }
  return { loss, dLogits };
}

/** One sgdStep call's arguments (see `Kernels['sgdStep']`), the arrays as they were before it. */
export interface SgdStepCall {
  readonly params: ArrayLike<number>;
  readonly velocity: ArrayLike<number> | null;
  readonly gradient: ArrayLike<number>;
  readonly offset: number;
  readonly length: number;
  readonly rate: number;
  readonly momentum: number;
  readonly clip: number;
}

/**
 * The parameters and velocity after one SGD step with momentum, in float64,
 * for the whole arrays (elements outside the slice keep their values):
 * v = momentum · v − rate · clip(g), p += v; without a velocity p −= rate · clip(g).
 */
export function referenceSgdStep(call: SgdStepCall): { readonly params: Float64Array; readonly velocity: Float64Array | null } {
  const params = Float64Array.from(call.params);
  const velocity = call.velocity ? Float64Array.from(call.velocity) : null;
  for (let i = call.offset; i < call.offset + call.length; i++) {
    const step = -call.rate * Math.max(-call.clip, Math.min(call.clip, call.gradient[i]));
    if (velocity) {
      velocity[i] = call.momentum * velocity[i] + step;
      params[i] += velocity[i];
    } else params[i] += step;
  }
  return { params, velocity };
}
