import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { portableKernels } from '../../src/ops/kernels/portable/portable-kernels.js';
import { cellStepCase, lstmpCase, sgemmCase, seededFloats, softmaxCase } from '../../src/testing/arbitraries.js';
import { gradcheck, numericGradient } from '../../src/testing/gradcheck.js';
import { referenceLstmpLoss, runBackward } from '../../src/testing/network.js';
import { referenceCellStep, referenceCrossEntropyGradient, referenceLogSoftmaxRows, referenceSgdStep, referenceSgemm, type SgemmCall } from '../../src/testing/references.js';

// The references are the oracles every kernel set is held to; here they are held to their definitions.

describe('referenceSgemm', () => {
  it('multiplies as the definition does: [1 2; 3 4]·[5; 6] + 2·[1; 1] = [19; 41]', () => {
    const call: SgemmCall = { transA: false, transB: false, m: 2, n: 1, k: 2, alpha: 1, a: [1, 2, 3, 4], offA: 0, lda: 2, b: [5, 6], offB: 0, ldb: 1, beta: 2, c: [1, 1], offC: 0, ldc: 1 };
    expect(Array.from(referenceSgemm(call).expected)).toEqual([19, 41]);
    expect(Array.from(referenceSgemm({ ...call, transA: true }).expected)).toEqual([1 * 5 + 3 * 6 + 2, 2 * 5 + 4 * 6 + 2]);
    expect(Array.from(referenceSgemm({ ...call, beta: 0, c: [NaN, NaN] }).expected)).toEqual([17, 39]);
  });

  it('reads op(A) and op(B) as the transposes written out would be read, and leaves the rest of C with a bound of 0', () => {
    fc.assert(
      fc.property(sgemmCase(), (c) => {
        const [rowsA, colsA] = c.transA ? [c.k, c.m] : [c.m, c.k];
        const [rowsB, colsB] = c.transB ? [c.n, c.k] : [c.k, c.n];
        const [lda, ldb, ldc] = [colsA + c.padA, colsB + c.padB, c.n + c.padC];
        const a = seededFloats(c.offA + rowsA * lda, c.seed);
        const b = seededFloats(c.offB + rowsB * ldb, c.seed + 1);
        const before = seededFloats(c.offC + c.m * ldc + 1, c.seed + 2);
        // op(A) [m, k] and op(B) [k, n] copied out, packed, as they are
        const opA = Float64Array.from({ length: c.m * c.k }, (_, i) => (c.transA ? a[c.offA + (i % c.k) * lda + Math.floor(i / c.k)] : a[c.offA + Math.floor(i / c.k) * lda + (i % c.k)]));
        const opB = Float64Array.from({ length: c.k * c.n }, (_, i) => (c.transB ? b[c.offB + (i % c.n) * ldb + Math.floor(i / c.n)] : b[c.offB + Math.floor(i / c.n) * ldb + (i % c.n)]));
        const general = referenceSgemm({ ...c, a, lda, b, ldb, c: before, ldc });
        const packed = referenceSgemm({ ...c, transA: false, transB: false, a: opA, offA: 0, lda: c.k, b: opB, offB: 0, ldb: c.n, c: before, ldc });
        expect(general).toEqual(packed);
        for (let i = 0; i < before.length; i++) {
          const inBlock = i >= c.offC && Math.floor((i - c.offC) / ldc) < c.m && (i - c.offC) % ldc < c.n;
          if (!inBlock) expect([general.expected[i], general.bound[i]]).toEqual([before[i], 0]);
        }
      }),
    );
  });
});

describe('referenceCellStep', () => {
  it('backward is the derivative of forward: gradcheck in float64 of L = Σ ∂L/∂m_t · m_t + Σ ∂L/∂c_t · c_t', () => {
    fc.assert(
      fc.property(cellStepCase(), (k) => {
        const { C, rows, skip } = k;
        const n = rows * C;
        const gates = k.gates.subarray(4 * skip * C, 4 * (skip + rows) * C);
        const cPrev = k.c.subarray(skip * C, (skip + rows) * C);
        const dm = k.dm.subarray(skip * C, (skip + rows) * C);
        const step = (p: Float64Array) =>
          referenceCellStep({ cells: C, rows, cellClip: k.cellClip, peephole: k.peepholes ? p.subarray(5 * n) : null, gates: p.subarray(0, 4 * n), cPrev: p.subarray(4 * n, 5 * n), dm, dc: k.dc, dPeephole: new Float64Array(3 * C) });
        const params = Float64Array.from([...gates, ...cPrev, ...(k.peepholes ? k.peephole : [])]);
        const at = step(params);
        // Within 1e-3 of the clip bound a difference of 1e-6 might cross it, where c_t has a kink.
        fc.pre(at.raw.every((raw) => Math.abs(Math.abs(raw) - k.cellClip) > 1e-3));
        const loss = (p: Float64Array) => {
          const out = step(p);
          return out.m.reduce((s, m, i) => s + dm[i] * m, 0) + out.c.reduce((s, c, i) => s + k.dc[i] * c, 0);
        };
        gradcheck(loss, params, [...at.dGates, ...at.dcPrev, ...(k.peepholes ? at.dPeephole : [])]);
      }),
      { numRuns: 200 },
    );
  });

  it('adds the peepholes’ gradient to the one it is given, and passes no gradient through a clipped cell', () => {
    fc.assert(
      fc.property(cellStepCase(), (k) => {
        const input = { cells: k.C, rows: k.rows, cellClip: k.cellClip, peephole: k.peepholes ? k.peephole : null, gates: k.gates, cPrev: k.c, dm: k.dm, dc: k.dc };
        const fromZero = referenceCellStep({ ...input, dPeephole: new Float64Array(3 * k.C) });
        const added = referenceCellStep({ ...input, dPeephole: k.dPeephole });
        added.dPeephole.forEach((v, i) => expect(v).toBeCloseTo(fromZero.dPeephole[i] + k.dPeephole[i], 12));
        for (let i = 0; i < k.rows * k.C; i++) {
          if (added.c[i] === added.raw[i]) continue;
          expect(Math.abs(added.c[i])).toBe(k.cellClip);
          for (const gate of [0, 1, 2]) expect(Math.abs(added.dGates[Math.floor(i / k.C) * 4 * k.C + gate * k.C + (i % k.C)])).toBe(0);
        }
      }),
    );
  });
});

describe('referenceLogSoftmaxRows and referenceCrossEntropyGradient', () => {
  it('give rows whose probabilities sum to 1, and the loss’s exact gradient with respect to the logits (gradcheck in float64)', () => {
    fc.assert(
      fc.property(softmaxCase(), ({ rows, cols, x, targets, mask }) => {
        const logp = referenceLogSoftmaxRows(x, rows, cols);
        for (let r = 0; r < rows; r++) expect(logp.subarray(r * cols, (r + 1) * cols).reduce((s, v) => s + Math.exp(v), 0)).toBeCloseTo(1, 12);
        const loss = (logits: Float64Array) => referenceCrossEntropyGradient(referenceLogSoftmaxRows(logits, rows, cols), targets, mask, rows, cols).loss;
        const logits = Float64Array.from(x);
        const { loss: value, dLogits } = referenceCrossEntropyGradient(logp, targets, mask, rows, cols);
        expect(value).toBe(loss(logits));
        // Logits far from 0 lose ~1e-13 to cancellation in x − log Z: a step of 1e-4 keeps that far below the bound.
        gradcheck(loss, logits, dLogits, { step: 1e-4 });
      }),
    );
  });
});

describe('referenceSgdStep', () => {
  it('clips, steps the slice, with momentum when it has a velocity', () => {
    const call = { params: [1, 1, 1, 1], velocity: [0, 0.5, 0.5, 0], gradient: [9, 3, -0.5, 9], offset: 1, length: 2, rate: 0.1, momentum: 0.5, clip: 1 };
    const stepped = referenceSgdStep(call);
    expect(Array.from(stepped.params)).toEqual([1, 1 + (0.25 - 0.1), 1 + (0.25 + 0.05), 1]);
    expect(Array.from(stepped.velocity!)).toEqual([0, 0.25 - 0.1, 0.25 + 0.05, 0]);
    expect(Array.from(referenceSgdStep({ ...call, velocity: null, momentum: 0 }).params)).toEqual([1, 1 - 0.1, 1 + 0.05, 1]);
  });
});

describe('referenceLstmpLoss', () => {
  it('is the reference for truncated BPTT too: its finite differences are lstmp’s backward pass, with peepholes, a clip that bites, projection or none, carried state, masks and resets', () => {
    fc.assert(
      // A clip of 0.3 changes the loss in 3 cases of 4 (cells carried in are within ±2).
      fc.property(lstmpCase({ spreadWeights: true, cellClip: fc.constantFrom(50, 0.3), maxLayers: 2 }), fc.integer(), ({ spec, params, chunk, state }, seed) => {
        // Truncated BPTT's gradient is the chunk loss's with the carried state held fixed: what differences of the reference give.
        const loss = (p: Float32Array) => referenceLstmpLoss(spec, p, chunk, state);
        // A cell at its clip within a step of a parameter is a kink, where no gradient is right: differences over two steps disagree there.
        const coarse = numericGradient(loss, params, { sample: 40, seed, step: 1e-4 });
        const fine = numericGradient(loss, params, { sample: 40, seed, step: 1e-6 });
        fc.pre(coarse.every((g, i) => Number.isNaN(g) || Math.abs(g - fine[i]) <= 1e-6 + 1e-3 * Math.abs(g)));
        const { gradient } = runBackward(portableKernels, spec, params, chunk, state);
        gradcheck(loss, params, gradient, { sample: 40, seed, step: 1e-4 });
      }),
      { numRuns: 60 },
    );
  });
});
