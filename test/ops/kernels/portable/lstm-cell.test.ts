import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Kernels } from '../../../../src/ops/kernels/kernels.js';
import { kernelsUnderTest, placed } from '../../../support/kernels.js';

/** One step of `rows` streams × C cells at offsets inside larger arrays, with everything the forward and backward steps read. */
const stepCase = fc
  .record({
    C: fc.integer({ min: 1, max: 13 }),
    rows: fc.integer({ min: 1, max: 4 }),
    /** rows of padding before the step's rows, so offsets are exercised */
    skip: fc.integer({ min: 0, max: 2 }),
    cellClip: fc.constantFrom(50, 1.5, 0.3),
    peepholes: fc.boolean(),
    inMemory: fc.boolean(),
    seed: fc.integer(),
  })
  .map((c) => {
    let s = c.seed | 0 || 1;
    const random = (scale: number) => {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      return scale * ((s >>> 0) / 2 ** 31 - 1);
    };
    const fill = (length: number, scale: number) => Float32Array.from({ length }, () => random(scale));
    const cells = (c.skip + c.rows) * c.C;
    return {
      ...c,
      gates: fill(4 * cells, 4),
      c: fill(cells + c.rows * c.C, 2),
      peephole: fill(3 * c.C, 1),
      dm: fill(cells, 1),
      dc: fill(c.rows * c.C, 1),
      dPeephole: fill(3 * c.C, 1),
    };
  });
type StepCase = typeof stepCase extends fc.Arbitrary<infer T> ? T : never;

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** The forward and backward step in float64, written out from the equations. */
function reference(k: StepCase) {
  const { C, rows, skip, cellClip } = k;
  const n = rows * C;
  const out = { gates: new Float64Array(4 * n), c: new Float64Array(n), raw: new Float64Array(n), hc: new Float64Array(n), m: new Float64Array(n) };
  const back = { dGates: new Float64Array(4 * n), dc: new Float64Array(n), dPeephole: Float64Array.from(k.dPeephole) };
  const p = (row: number, j: number) => (k.peepholes ? k.peephole[row * C + j] : 0);
  for (let b = 0; b < rows; b++) {
    for (let j = 0; j < C; j++) {
      const z = (gate: number) => k.gates[(skip + b) * 4 * C + gate * C + j];
      const cPrev = k.c[(skip + b) * C + j];
      const i = sigmoid(z(0) + p(0, j) * cPrev);
      const f = sigmoid(z(1) + p(1, j) * cPrev);
      const g = Math.tanh(z(2));
      const raw = f * cPrev + i * g;
      const cell = Math.max(-cellClip, Math.min(cellClip, raw));
      const o = sigmoid(z(3) + p(2, j) * cell);
      const h = Math.tanh(cell);
      const at = b * C + j;
      [out.gates[b * 4 * C + j], out.gates[b * 4 * C + C + j], out.gates[b * 4 * C + 2 * C + j], out.gates[b * 4 * C + 3 * C + j]] = [i, f, g, o];
      [out.c[at], out.raw[at], out.hc[at], out.m[at]] = [cell, raw, h, o * h];

      const dm = k.dm[(skip + b) * C + j];
      const dzo = dm * h * o * (1 - o);
      const clipped = cell !== raw;
      const dcell = clipped ? 0 : dm * o * (1 - h * h) + k.dc[at] + dzo * p(2, j);
      const [dzi, dzf, dzg] = [dcell * g * i * (1 - i), dcell * cPrev * f * (1 - f), dcell * i * (1 - g * g)];
      [back.dGates[b * 4 * C + j], back.dGates[b * 4 * C + C + j], back.dGates[b * 4 * C + 2 * C + j], back.dGates[b * 4 * C + 3 * C + j]] = [dzi, dzf, dzg, dzo];
      back.dc[at] = dcell * f + dzi * p(0, j) + dzf * p(1, j);
      if (k.peepholes) {
        back.dPeephole[j] += dzi * cPrev;
        back.dPeephole[C + j] += dzf * cPrev;
        back.dPeephole[2 * C + j] += dzo * cell;
      }
    }
  }
  return { out, back };
}

/** Runs both steps on `kernels` with the arrays placed in or out of their memory. */
function runStep(kernels: Kernels, k: StepCase) {
  const place = (x: Float32Array) => placed(kernels, x, k.inMemory);
  const { C, rows, skip } = k;
  const cells = (skip + rows) * C;
  const gates = place(k.gates);
  const c = place(k.c);
  const hc = place(new Float32Array(cells).fill(NaN));
  const clipped = place(new Float32Array(cells).fill(NaN));
  const m = place(new Float32Array(cells).fill(NaN));
  const peephole = k.peepholes ? place(k.peephole) : null;
  const at = skip * C;
  // c holds c_{t−1} in rows skip.., c_t after them.
  kernels.cellForward(C, rows, k.cellClip, peephole, gates, 4 * at, c, at, cells, hc, clipped, m, at);
  const dm = place(k.dm);
  const dc = place(k.dc);
  const dGates = place(new Float32Array(4 * cells).fill(NaN));
  const dPeephole = k.peepholes ? place(k.dPeephole) : null;
  kernels.cellBackward(C, rows, peephole, dPeephole, gates, 4 * at, hc, clipped, at, c, at, cells, dm, at, dc, dGates);
  return { gates, c, hc, clipped, m, dc, dGates, dPeephole, at };
}

/** Every element within a float32-sized tolerance of the float64 value. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, scale = 1) {
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i] - expected[i]), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(2e-6 * scale * (1 + Math.abs(expected[i])));
  }
}

describe.each(kernelsUnderTest)('the LSTM cell step ($name kernels)', (kernels) => {
  it('computes gates, cells, tanh(c), the clip mask and m as the equations do in float64, touching nothing else', () => {
    fc.assert(
      fc.property(stepCase, (k) => {
        const { out } = reference(k);
        const got = runStep(kernels, k);
        const n = k.rows * k.C;
        const cells = (k.skip + k.rows) * k.C;
        expectClose(got.gates.subarray(4 * got.at), out.gates, 'gates');
        expectClose(got.c.subarray(cells), out.c, 'c');
        expectClose(got.hc.subarray(got.at), out.hc, 'hc');
        expectClose(got.m.subarray(got.at), out.m, 'm');
        for (let i = 0; i < n; i++) {
          // Exactly at the bound float32 and float64 may disagree; elsewhere the mask is exact.
          if (Math.abs(Math.abs(out.raw[i]) - k.cellClip) > 1e-5) expect(got.clipped[got.at + i], `clipped[${i}]`).toBe(out.c[i] !== out.raw[i] ? 1 : 0);
        }
        expect(Array.from(got.gates.subarray(0, 4 * got.at))).toEqual(Array.from(k.gates.subarray(0, 4 * got.at)));
        expect(Array.from(got.c.subarray(0, cells))).toEqual(Array.from(k.c.subarray(0, cells)));
        expect(got.hc.subarray(0, got.at).every(Number.isNaN)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('gives tanh(c_t) to a few ulp of its own c_t, also where c_t is tiny', () => {
    fc.assert(
      fc.property(stepCase, fc.double({ min: -30, max: 0, noNaN: true }), (k, log10) => {
        // Scaled-down g gates make c_t and tanh(c_t) tiny, where 1 − 2/(e^2c + 1) would cancel.
        const scale = 10 ** log10;
        const got = runStep(kernels, { ...k, c: k.c.map((v) => v * scale), gates: k.gates.map((v, i) => (Math.floor(i / k.C) % 4 === 2 ? v * scale : v)) });
        const cells = (k.skip + k.rows) * k.C;
        for (let i = 0; i < k.rows * k.C; i++) {
          const want = Math.tanh(got.c[cells + i]);
          expect(Math.abs(got.hc[got.at + i] - want), `tanh(${got.c[cells + i]})`).toBeLessThanOrEqual(5e-7 * Math.abs(want));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('computes the gradient of the gate pre-activations, of c_{t−1} and of the peepholes as the equations do', () => {
    fc.assert(
      fc.property(stepCase, (k) => {
        const { out, back } = reference(k);
        const got = runStep(kernels, k);
        const n = k.rows * k.C;
        const nearBound = (i: number) => Math.abs(Math.abs(out.raw[i]) - k.cellClip) <= 1e-5;
        if (Array.from({ length: n }, (_, i) => i).some(nearBound)) return;
        expectClose(got.dGates.subarray(4 * got.at), back.dGates, 'dGates', 8);
        expectClose(got.dc, back.dc, 'dc', 8);
        if (k.peepholes) expectClose(got.dPeephole!, back.dPeephole, 'dPeephole', 8 * k.rows);
        expect(got.dGates.subarray(0, 4 * got.at).every(Number.isNaN)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same bits whether the arrays live in its memory or not', () => {
    fc.assert(
      fc.property(stepCase, (k) => {
        const result = (inMemory: boolean) => Object.values(runStep(kernels, { ...k, inMemory })).map((x) => (typeof x === 'number' || x === null ? x : Array.from(x)));
        expect(result(true)).toEqual(result(false));
      }),
      { numRuns: 100 },
    );
  });

  it('refuses rows that do not fit the arrays', () => {
    const x = kernels.alloc(4 * 8);
    expect(() => kernels.cellForward(4, 2, 50, null, x, 4, x, 0, 8, x, x, x, 0)).toThrow(RangeError);
    expect(() => kernels.cellBackward(4, 2, null, null, x, 0, x, x, 0, x, 0, 8, x, 0, x, x.subarray(0, 31))).toThrow(RangeError);
  });
});
