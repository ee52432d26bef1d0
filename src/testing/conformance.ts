import fc from 'fast-check';
import type { Kernels } from '../ops/kernels/kernels.js';
import { crossEntropy } from '../ops/nn/cross-entropy.js';
import { cellStepCase, floatsWithSpecials, lstmpCase, seededFloats, sgdStepCase, sgemmCase, softmaxCase, type CellStepCase, type SgemmCase } from './arbitraries.js';
import { closeTo } from './close-to.js';
import { gradcheck } from './gradcheck.js';
import { referenceLstmpLoss, runBackward, runForward } from './network.js';
import { referenceArgmaxRows, referenceCellStep, referenceCrossEntropyGradient, referenceLogSoftmaxRows, referenceSgdStep, referenceSgemm } from './references.js';

/** One named check of a kernel set: `run` returns when the set passes and throws (with fast-check's counterexample) when it does not. */
export interface ConformanceCheck {
  readonly name: string;
  /** the members of `Kernels` it calls */
  readonly functions: readonly (keyof Kernels)[];
  readonly run: () => void;
}

/**
 * Where the arrays a check hands to the kernels live: in the kernels' own
 * memory (`alloc`), in plain Float32Arrays, or either, drawn per array.
 */
export type Placement = 'either' | 'kernels' | 'plain';

export interface ConformanceOptions {
  /** Runs of every random property (each has its own default, 100–500); the fixed cases always all run. */
  readonly numRuns?: number;
  /** fast-check's seed, to replay a run; random by default (a failure prints the seed it used). */
  readonly seed?: number;
  /** Default 'either'. */
  readonly placement?: Placement;
}

/**
 * The checks any kernel set must pass to run lstmp's operators: each kernel
 * against its float64 reference (lstmp/testing's references) over random
 * shapes, offsets and values, the edge cases each has (NaN in a C that beta
 * = 0 must overwrite, huge logits, clipped cells and gradients, ±Infinity
 * anywhere in a long array), the arrays outside each call left untouched,
 * the same bits wherever the arrays live, and the same refusals of calls
 * that do not fit. A failure throws fast-check's report: the seed, the
 * minimal counterexample it shrank to, and what went wrong.
 *
 * Takes any `Kernels`: lstmp's own (`portableKernels`, `createWasmKernels()`)
 * or a set of your own. A whole run takes well under a second on either of
 * lstmp's sets (`npm run bench:conformance`).
 *
 * @example
 * import { portableKernels } from 'lstmp';
 * import { kernelConformance } from 'lstmp/testing';
 * const mine = { ...portableKernels, name: 'mine', sgdStep: mySgdStep };
 * for (const check of kernelConformance(mine)) check.run(); // throws at the first failure
 */
export function kernelConformance(kernels: Kernels, options: ConformanceOptions = {}): readonly ConformanceCheck[] {
  const placement = options.placement ?? 'either';
  const where = (count: number): fc.Arbitrary<boolean[]> =>
    placement === 'either' ? fc.array(fc.boolean(), { minLength: count, maxLength: count }) : fc.constant(new Array<boolean>(count).fill(placement === 'kernels'));
  const fixedPlace = placement !== 'plain';
  // What a case allocates goes back when it ends: a set whose memory cannot grow must not run out over a run.
  const held: Float32Array[] = [];
  const alloc = (length: number) => {
    const x = kernels.alloc(length);
    held.push(x);
    return x;
  };
  /** A copy of `values` in the kernels' memory (used in place by sets with a memory of their own) or in a plain array. */
  const place = (values: Float32Array, inMemory: boolean) => {
    const x = inMemory ? alloc(values.length) : new Float32Array(values.length);
    x.set(values);
    return x;
  };
  const releasing =
    <T>(predicate: (value: T) => void) =>
    (value: T) => {
      try {
        predicate(value);
      } finally {
        for (const x of held.splice(0)) kernels.release(x);
      }
    };

  /** A check of a random property: fast-check's report, with the check's name, when it fails. */
  const property = <T>(name: string, functions: readonly (keyof Kernels)[], numRuns: number, arbitrary: fc.Arbitrary<T>, predicate: (value: T) => void): ConformanceCheck => ({
    name,
    functions,
    run: () => assertNamed(`${name} (kernel set ${kernels.name})`, fc.property(arbitrary, releasing(predicate)), { numRuns: options.numRuns ?? numRuns, seed: options.seed }),
  });
  /** A check of fixed cases, every one run, a failing one reported as fast-check's counterexample. */
  const cases = <T>(name: string, functions: readonly (keyof Kernels)[], values: readonly T[], predicate: (value: T) => void): ConformanceCheck => ({
    name,
    functions,
    run: () => assertNamed(`${name} (kernel set ${kernels.name})`, fc.property(fc.constantFrom(...values), releasing(predicate)), { numRuns: values.length, examples: values.map((v) => [v]) }),
  });

  const sgemmRun = (c: SgemmCase, inMemory: readonly boolean[]) => {
    const [rowsA, colsA] = c.transA ? [c.k, c.m] : [c.m, c.k];
    const [rowsB, colsB] = c.transB ? [c.n, c.k] : [c.k, c.n];
    const [lda, ldb, ldc] = [colsA + c.padA, colsB + c.padB, c.n + c.padC];
    const a = place(seededFloats(c.offA + rowsA * lda, c.seed), inMemory[0]);
    const b = place(seededFloats(c.offB + rowsB * ldb, c.seed + 1), inMemory[1]);
    const before = seededFloats(c.offC + c.m * ldc + 1, c.seed + 2);
    // With beta = 0 C's old values must not be read: NaN there must vanish.
    if (c.beta === 0) for (let i = 0; i < c.m; i++) before.fill(NaN, c.offC + i * ldc, c.offC + i * ldc + c.n);
    const out = place(before, inMemory[2]);
    kernels.sgemm(c.transA, c.transB, c.m, c.n, c.k, c.alpha, a, c.offA, lda, b, c.offB, ldb, c.beta, out, c.offC, ldc);
    const { expected, bound } = referenceSgemm({ ...c, a, lda, b, ldb, c: before, ldc });
    closeTo(out, expected, (_, i) => bound[i], 'C');
  };

  /** argmaxRows (optional) against brute force: many ties (values from a few levels), rows all −∞, long rows with the maximum anywhere. */
  const argmaxCheck = (argmaxRows: NonNullable<Kernels['argmaxRows']>) =>
    property(
      'argmaxRows: the first index of each row\'s largest value, as brute force finds it (ties, −∞, long rows)',
      ['argmaxRows', 'alloc'],
      200,
      fc.tuple(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 300 }),
        fc.array(fc.constantFrom(-Infinity, -3, -1, 0, 0.5, 2, 1e30), { minLength: 1, maxLength: 1500 }),
        where(1),
      ),
      ([rows, cols, levels, [inMemory]]) => {
        const x = place(Float32Array.from({ length: rows * cols }, (_, i) => levels[(i * 7919) % levels.length]), inMemory);
        const out = new Int32Array(rows + 2).fill(-7);
        argmaxRows(x, rows, cols, out);
        const want = referenceArgmaxRows(x, rows, cols);
        for (let r = 0; r < rows; r++) must(out[r] === want[r], () => `row ${r}: arg-max ${out[r]}, want ${want[r]}`);
        must(out[rows] === -7 && out[rows + 1] === -7, () => 'argmaxRows wrote past its rows');
      },
    );

  const blockCases: SgemmCase[] = [];
  // Shapes that cross the wasm set's cache blocks, with tails: k past 256 and 512, m past 128, n past 128 and 1024, m ≤ 4
  // (and one stream's recurrent step, a row against a 4C × R matrix);
  // and one of the native set's paths (m of 16 to 144): several B panels of 16 and 32 columns and a partial one, k past 256.
  for (const [m, n, k] of [[133, 20, 300], [3, 1030, 300], [1, 771, 97], [9, 1030, 20], [133, 9, 520], [5, 131, 520], [40, 70, 300]]) {
    for (const [transA, transB] of [[false, false], [false, true], [true, false], [true, true]]) {
      blockCases.push({ transA, transB, m, n, k, alpha: 0.75, beta: transA ? 0 : 0.5, offA: 1, offB: 2, offC: 3, padA: 1, padB: 0, padC: 2, seed: m * n + k });
    }
  }

  /** The forward step on `k`, its arrays placed in or out of the kernels' memory. */
  const cellForward = (k: CellStepCase, inMemory: boolean) => {
    const { C, rows, skip } = k;
    const cells = (skip + rows) * C;
    const at = skip * C;
    const put = (values: Float32Array) => place(values, inMemory);
    const gates = put(k.gates);
    const c = put(k.c);
    const [hc, clipped, m] = [put(new Float32Array(cells).fill(NaN)), put(new Float32Array(cells).fill(NaN)), put(new Float32Array(cells).fill(NaN))];
    const peephole = k.peepholes ? put(k.peephole) : null;
    // c holds c_{t−1} in rows skip.., c_t after them.
    kernels.cellForward(C, rows, k.cellClip, peephole, gates, 4 * at, c, at, cells, hc, clipped, m, at);
    return { gates, c, hc, clipped, m, peephole, at, cells };
  };
  /** The forward step on `k`, then the backward step from what it left. */
  const cellBackward = (k: CellStepCase, inMemory: boolean) => {
    const f = cellForward(k, inMemory);
    const put = (values: Float32Array) => place(values, inMemory);
    const dc = put(k.dc);
    const dGates = put(new Float32Array(4 * f.cells).fill(NaN));
    const dPeephole = k.peepholes ? put(k.dPeephole) : null;
    kernels.cellBackward(k.C, k.rows, f.peephole, dPeephole, f.gates, 4 * f.at, f.hc, f.clipped, f.at, f.c, f.at, f.cells, put(k.dm), f.at, dc, dGates);
    return { ...f, dc, dGates, dPeephole };
  };
  const cellReference = (k: CellStepCase) => {
    const n = k.rows * k.C;
    const at = k.skip * k.C;
    const rows = (x: Float32Array, from: number, width: number) => x.subarray(from * width, (from + k.rows) * width);
    return referenceCellStep({
      cells: k.C,
      rows: k.rows,
      cellClip: k.cellClip,
      peephole: k.peepholes ? k.peephole : null,
      gates: rows(k.gates, k.skip, 4 * k.C),
      cPrev: k.c.subarray(at, at + n),
      dm: rows(k.dm, k.skip, k.C),
      dc: k.dc,
      dPeephole: k.dPeephole,
    });
  };
  // Float32 rounding of each step's few operations, relative to the value (scaled for the longer chains of the backward step).
  const cellTolerance = (scale: number) => ({ absolute: 2e-6 * scale, relative: 2e-6 * scale });
  // Exactly at the clip bound float32 and float64 may disagree on whether a cell was clipped.
  const nearBound = (raw: number, cellClip: number) => Math.abs(Math.abs(raw) - cellClip) <= 1e-5;

  const bits = (arrays: readonly (Float32Array | null)[]) => arrays.map((x) => (x === null ? null : Array.from(x, (v) => (Object.is(v, -0) ? '-0' : String(v))).join(',')));
  const sameBits = (what: string, inside: readonly (Float32Array | null)[], outside: readonly (Float32Array | null)[]) => {
    const [a, b] = [bits(inside), bits(outside)];
    a.forEach((x, i) => must(x === b[i], () => `${what}: array ${i} is [${x}] from the kernels' memory, [${b[i]}] from plain arrays`));
  };

  const softmaxed = (x: Float32Array, rows: number, cols: number) => Float32Array.from(referenceLogSoftmaxRows(x, rows, cols));

  return [
    property('sgemm: alpha·op(A)·op(B) + beta·C as a float64 triple loop, nothing else touched', ['sgemm'], 400, fc.tuple(sgemmCase(), where(3)), ([c, inMemory]) => sgemmRun(c, inMemory)),
    cases('sgemm: across cache blocks and edge tiles, all four transposes', ['sgemm'], blockCases, (c) => sgemmRun(c, [fixedPlace, fixedPlace, fixedPlace])),
    cases('sgemm: beta = 0 overwrites C, so NaN and ±Infinity there vanish', ['sgemm', 'alloc'], [{ c: [NaN, Infinity, -Infinity, NaN] }], ({ c: values }) => {
      const a = place(new Float32Array(6).fill(1), fixedPlace);
      const b = place(new Float32Array(6).fill(2), fixedPlace);
      const c = place(Float32Array.from(values), fixedPlace);
      kernels.sgemm(false, false, 2, 2, 3, 1, a, 0, 3, b, 0, 2, 0, c, 0, 2);
      closeTo(c, [6, 6, 6, 6], 0, 'C');
    }),
    cases('sgemm: alpha = 0 or k = 0 only scales C by beta', ['sgemm', 'alloc'], [{ c: [1, 2, 3, 4], a: NaN }], ({ c: values, a: fill }) => {
      const c = place(Float32Array.from(values), fixedPlace);
      const a = place(new Float32Array(4).fill(fill), fixedPlace);
      kernels.sgemm(false, true, 2, 2, 2, 0, a, 0, 2, a, 0, 2, 2, c, 0, 2);
      closeTo(c, [2, 4, 6, 8], 0, 'C after alpha = 0, beta = 2');
      kernels.sgemm(true, false, 2, 2, 0, 1, a, 0, 2, a, 0, 2, 0.5, c, 0, 2);
      closeTo(c, [1, 2, 3, 4], 0, 'C after k = 0, beta = 0.5');
    }),
    cases('alloc: zero-filled arrays of the asked length, zero-filled again after a release', ['alloc', 'release'], [1, 7, 1000], (length) => {
      const x = kernels.alloc(length);
      must(x.length === length && x.every((v) => v === 0), () => `alloc(${length}) gave ${x.length} floats, ${x.filter((v) => v !== 0).length} of them not 0`);
      x.fill(3);
      kernels.release(x);
      const again = kernels.alloc(length);
      must(again.every((v) => v === 0), () => `alloc(${length}) after a release gave ${again.filter((v) => v !== 0).length} floats that are not 0`);
      kernels.release(again);
    }),
    property(
      'alloc and release: arrays held at once never share a float, however allocations and releases interleave',
      ['alloc', 'release'],
      100,
      fc.array(fc.oneof(fc.record({ alloc: fc.integer({ min: 0, max: 40 }) }), fc.record({ release: fc.nat() })), { maxLength: 30 }),
      (steps) => {
        // Each array held is filled with its own number; one that shares floats with a later one loses it.
        const live: { x: Float32Array; mark: number }[] = [];
        try {
          steps.forEach((step, mark) => {
            if ('alloc' in step) live.push({ x: kernels.alloc(step.alloc).fill(mark + 1), mark: mark + 1 });
            else if (live.length > 0) kernels.release(live.splice(step.release % live.length, 1)[0].x);
          });
          for (const { x, mark } of live) must(x.every((v) => v === mark), () => `an array of ${x.length} floats holds [${x.join(', ')}], not only the ${mark} written to it: another array shares its floats`);
        } finally {
          for (const { x } of live) kernels.release(x);
        }
      },
    ),

    property('cellForward: gates, c_t, tanh(c_t), the clip mask and m_t as the equations in float64, nothing else touched', ['cellForward'], 300, fc.tuple(cellStepCase(), where(1)), ([k, [inMemory]]) => {
      const want = cellReference(k);
      const got = cellForward(k, inMemory);
      closeTo(got.gates.subarray(4 * got.at), want.gates, cellTolerance(1), 'gates');
      closeTo(got.c.subarray(got.cells), want.c, cellTolerance(1), 'c_t');
      closeTo(got.hc.subarray(got.at), want.hc, cellTolerance(1), 'tanh(c_t)');
      closeTo(got.m.subarray(got.at), want.m, cellTolerance(1), 'm_t');
      for (let i = 0; i < k.rows * k.C; i++) {
        const clipped = want.c[i] !== want.raw[i] ? 1 : 0;
        if (!nearBound(want.raw[i], k.cellClip)) must(got.clipped[got.at + i] === clipped, () => `clip mask[${i}] = ${got.clipped[got.at + i]}, want ${clipped} (c_t before the clip ${want.raw[i]})`);
      }
      closeTo(got.gates.subarray(0, 4 * got.at), k.gates.subarray(0, 4 * got.at), 0, 'gates of the rows before the step');
      closeTo(got.c.subarray(0, got.cells), k.c.subarray(0, got.cells), 0, 'c_{t−1} and the rows before the step');
      must(got.hc.subarray(0, got.at).every(Number.isNaN), () => 'tanh(c_t) written in the rows before the step');
    }),
    property('cellForward: tanh(c_t) to a few ulps of its own c_t, also where c_t is tiny', ['cellForward'], 200, fc.tuple(cellStepCase(), fc.double({ min: -30, max: 0, noNaN: true }), where(1)), ([k, log10, [inMemory]]) => {
      // Scaled-down g gates make c_t and tanh(c_t) tiny, where 1 − 2/(e^2c + 1) would cancel.
      const scale = 10 ** log10;
      const got = cellForward({ ...k, c: k.c.map((v) => v * scale), gates: k.gates.map((v, i) => (Math.floor(i / k.C) % 4 === 2 ? v * scale : v)) }, inMemory);
      const cells = got.c.subarray(got.cells);
      closeTo(got.hc.subarray(got.at, got.at + cells.length), Array.from(cells, Math.tanh), { relative: 5e-7 }, 'tanh(c_t)');
    }),
    property('cellBackward: the gradients of the gate pre-activations, of c_{t−1} and of the peepholes as the equations in float64', ['cellForward', 'cellBackward'], 300, fc.tuple(cellStepCase(), where(1)), ([k, [inMemory]]) => {
      const want = cellReference(k);
      if (Array.from(want.raw).some((raw) => nearBound(raw, k.cellClip))) return;
      const { dGates, dc, dPeephole, at } = cellBackward(k, inMemory);
      closeTo(dGates.subarray(4 * at), want.dGates, cellTolerance(8), 'dGates');
      closeTo(dc, want.dcPrev, cellTolerance(8), 'dc_{t−1}');
      if (dPeephole) closeTo(dPeephole, want.dPeephole, cellTolerance(8 * k.rows), 'dPeephole');
      must(dGates.subarray(0, 4 * at).every(Number.isNaN), () => 'dGates written in the rows before the step');
    }),
    property("cellForward and cellBackward: the same bits whether the arrays live in the kernels' memory or not", ['cellForward', 'cellBackward', 'alloc'], 100, cellStepCase(), (k) => {
      const result = (inMemory: boolean) => {
        const { gates, c, hc, clipped, m, dc, dGates, dPeephole } = cellBackward(k, inMemory);
        return [gates, c, hc, clipped, m, dc, dGates, dPeephole];
      };
      sameBits('cell step', result(true), result(false));
    }),
    cases('cellForward and cellBackward: refuse rows that do not fit the arrays', ['cellForward', 'cellBackward', 'alloc'], ['cellForward: gates past the end', 'cellBackward: dGates too short'], (call) => {
      const x = alloc(4 * 8);
      refuses(call, /./, () =>
        call.startsWith('cellForward')
          ? kernels.cellForward(4, 2, 50, null, x, 4, x, 0, 8, x, x, x, 0)
          : kernels.cellBackward(4, 2, null, null, x, 0, x, x, 0, x, 0, 8, x, 0, x, x.subarray(0, 31)),
      );
    }),

    ...(kernels.argmaxRows ? [argmaxCheck(kernels.argmaxRows)] : []),
    property('logSoftmaxRows: each row as a float64 reference, far from 0 too', ['logSoftmaxRows'], 300, fc.tuple(softmaxCase(), where(1)), ([{ rows, cols, x }, [inMemory]]) => {
      const logp = place(x, inMemory);
      kernels.logSoftmaxRows(logp, rows, cols);
      // float32 rounding of log Z and of x − log Z
      closeTo(logp, referenceLogSoftmaxRows(x, rows, cols), (want, i) => 1e-6 * (1 + Math.abs(x[i]) + Math.abs(x[i] - want)), 'log p');
    }),
    property("logSoftmaxRows: the same bits whether the matrix lives in the kernels' memory or not", ['logSoftmaxRows', 'alloc'], 100, softmaxCase(), ({ rows, cols, x }) => {
      const [inside, outside] = [place(x, true), place(x, false)];
      kernels.logSoftmaxRows(inside, rows, cols);
      kernels.logSoftmaxRows(outside, rows, cols);
      sameBits('log p', [inside], [outside]);
    }),
    cases('logSoftmaxRows: no overflow on huge logits', ['logSoftmaxRows', 'alloc'], [[1e30, 0, -1e30]], (row) => {
      const logp = place(Float32Array.from(row), fixedPlace);
      kernels.logSoftmaxRows(logp, 1, 3);
      closeTo(logp, [0, -1e30, -2e30].map(Math.fround), 0, 'log p');
    }),
    property('crossEntropyGradient: the summed masked loss and its exact gradient, zero on masked rows', ['crossEntropyGradient'], 300, fc.tuple(softmaxCase(), where(2)), ([{ rows, cols, x, targets, mask }, inMemory]) => {
      const logp = place(softmaxed(x, rows, cols), inMemory[0]);
      const d = place(new Float32Array(rows * cols).fill(NaN), inMemory[1]);
      const loss = kernels.crossEntropyGradient(logp, targets, mask, rows, cols, d);
      const want = referenceCrossEntropyGradient(logp, targets, mask, rows, cols);
      closeTo([loss], [want.loss], 5e-7, 'loss');
      must(Object.is(loss, crossEntropy(logp, targets, mask, rows, cols)), () => `loss ${loss}, but crossEntropy (ops/nn) sums ${crossEntropy(logp, targets, mask, rows, cols)}`);
      closeTo(d, want.dLogits, 1e-6, '∂loss/∂logits');
    }),
    property("crossEntropyGradient: the same bits whether its arrays live in the kernels' memory or not", ['crossEntropyGradient', 'alloc'], 100, softmaxCase(), ({ rows, cols, x, targets, mask }) => {
      const run = (inMemory: boolean) => {
        const d = place(new Float32Array(rows * cols), inMemory);
        kernels.crossEntropyGradient(place(x.map((v) => v - 90), inMemory), targets, mask, rows, cols, d);
        return d;
      };
      sameBits('∂loss/∂logits', [run(true)], [run(false)]);
    }),
    cases('logSoftmaxRows and crossEntropyGradient: refuse rows that do not fit the array', ['logSoftmaxRows', 'crossEntropyGradient', 'alloc'], ['logSoftmaxRows: 3 × 4 in 10 floats', 'crossEntropyGradient: dLogits of 11 floats'], (call) => {
      refuses(call, /./, () =>
        call.startsWith('logSoftmaxRows')
          ? kernels.logSoftmaxRows(alloc(10), 3, 4)
          : kernels.crossEntropyGradient(alloc(12), new Int32Array(3), new Float32Array(3), 3, 4, alloc(11)),
      );
    }),

    property('sgdStep: the slice stepped as a float64 reference, the gradient clipped, nothing else touched', ['sgdStep'], 300, fc.tuple(sgdStepCase(), where(3)), ([c, inMemory]) => {
      const p = place(c.params, inMemory[0]);
      const v = c.withVelocity ? place(c.velocity, inMemory[1]) : null;
      const g = place(c.gradient, inMemory[2]);
      kernels.sgdStep(p, v, g, c.before, c.length, c.rate, c.momentum, c.clip);
      const want = referenceSgdStep({ ...c, offset: c.before, velocity: c.withVelocity ? c.velocity : null });
      const inside = (i: number) => i >= c.before && i < c.before + c.length;
      // float32 rounding of the step and the sum, exact outside the slice
      const velocityAfter = (i: number) => (want.velocity ? want.velocity[i] : want.params[i] - c.params[i]);
      const tolerance = (_: number, i: number) => (inside(i) ? 1e-6 * (Math.abs(c.params[i]) + Math.abs(velocityAfter(i)) + 1) : 0);
      closeTo(p, want.params, tolerance, 'parameter');
      if (v && want.velocity) closeTo(v, want.velocity, tolerance, 'velocity');
      closeTo(g, c.gradient, 0, 'gradient');
    }),
    property("sgdStep: the same bits whether the arrays live in the kernels' memory or not", ['sgdStep', 'alloc'], 100, sgdStepCase(), (c) => {
      const run = (inMemory: boolean) => {
        const p = place(c.params, inMemory);
        const v = c.withVelocity ? place(c.velocity, inMemory) : null;
        kernels.sgdStep(p, v, place(c.gradient, inMemory), c.before, c.length, c.rate, c.momentum, c.clip);
        return [p, v];
      };
      sameBits('parameters and velocity', run(true), run(false));
    }),
    cases('sgdStep: a slice longer than any staging block', ['sgdStep'], [40_000], (n) => {
      const gradient = Float32Array.from({ length: n }, (_, i) => (i % 7) - 3);
      const params = new Float32Array(n).fill(1);
      kernels.sgdStep(params, null, gradient, 0, n, 0.5, 0, 2);
      closeTo(params, Array.from(gradient, (g) => 1 - 0.5 * Math.max(-2, Math.min(2, g))), 0, 'parameter');
    }),
    cases(
      'sgdStep: refuses a slice outside its arrays, and momentum without a velocity',
      ['sgdStep', 'alloc'],
      ['the slice past the parameters', 'the slice past the gradient', 'the slice past the velocity', 'momentum without a velocity'],
      (call) => {
        const x = alloc(8);
        const calls: Record<string, () => void> = {
          'the slice past the parameters': () => kernels.sgdStep(x, null, x, 4, 5, 1, 0, Infinity),
          'the slice past the gradient': () => kernels.sgdStep(x, null, alloc(4), 0, 5, 1, 0, Infinity),
          'the slice past the velocity': () => kernels.sgdStep(x, alloc(4), x, 0, 5, 1, 0.5, Infinity),
          'momentum without a velocity': () => kernels.sgdStep(x, null, x, 0, 8, 1, 0.5, Infinity),
        };
        refuses(call, call === 'momentum without a velocity' ? /needs a velocity/ : /./, calls[call]);
      },
    ),

    property('allFinite: false exactly when some value is NaN or ±Infinity', ['allFinite'], 500, fc.tuple(floatsWithSpecials(), where(1)), ([values, [inMemory]]) => {
      const finite = values.every(Number.isFinite);
      const got = kernels.allFinite(place(values, inMemory));
      must(got === finite, () => `allFinite gave ${got}, want ${finite}`);
    }),
    cases('allFinite: one NaN or ±Infinity anywhere in a long array', ['allFinite', 'alloc'], [NaN, Infinity, -Infinity].flatMap((value) => [0, 3, 16_384, 50_002].map((at) => ({ value, at }))), ({ value, at }) => {
      const inside = alloc(50_003);
      const outside = new Float32Array(50_003);
      must(kernels.allFinite(inside) && kernels.allFinite(outside), () => 'allFinite is false on zeros');
      inside[at] = outside[at] = value;
      must(!kernels.allFinite(inside) && !kernels.allFinite(outside), () => `allFinite missed ${value} at ${at}: ${kernels.allFinite(inside)} in the kernels' memory, ${kernels.allFinite(outside)} outside`);
    }),

    property(
      'the LSTMP on these kernels: the loss of a chunk as the float64 reference, its gradient as finite differences',
      ['sgemm', 'cellForward', 'cellBackward', 'logSoftmaxRows', 'crossEntropyGradient', 'alloc'],
      40,
      fc.tuple(lstmpCase({ spreadWeights: true }), fc.integer()),
      ([{ spec, params, chunk, state }, seed]) => {
        const { loss, gradient } = runBackward(kernels, spec, params, chunk, state);
        closeTo([loss], [referenceLstmpLoss(spec, params, chunk, state)], 1e-4 * Math.max(1, Math.abs(loss)), 'loss');
        gradcheck((p) => runForward(kernels, spec, p, chunk, state).loss, params, gradient, { sample: 30, seed });
      },
    ),
  ];
}

/** fc.assert, its report (seed, counterexample, the error) prefixed with the check's name. */
function assertNamed<T extends unknown[]>(name: string, property: fc.IProperty<T>, parameters: fc.Parameters<T>): void {
  try {
    fc.assert(property, { ...parameters, includeErrorInReport: true });
  } catch (error) {
    throw new Error(`${name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function must(condition: boolean, message: () => string): void {
  if (!condition) throw new Error(message());
}

/** Throws unless `call` throws a RangeError whose message matches `words`. */
function refuses(what: string, words: RegExp, call: () => void): void {
  try {
    call();
  } catch (error) {
    must(error instanceof RangeError && words.test(error.message), () => `${what}: threw ${String(error)}, want a RangeError matching ${words}`);
    return;
  }
  throw new Error(`${what}: accepted, want a RangeError`);
}
