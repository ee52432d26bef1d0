import { describe, expect, it } from 'vitest';
import { checkRows } from '../../src/ops/kernels/checks.js';
import type { Kernels } from '../../src/ops/kernels/kernels.js';
import { cellBackward } from '../../src/ops/kernels/portable/lstm-cell.js';
import { portableKernels } from '../../src/ops/kernels/portable/portable-kernels.js';
import { sgemm } from '../../src/ops/kernels/portable/sgemm.js';
import { sgdStep } from '../../src/ops/kernels/portable/update.js';
import { kernelConformance } from '../../src/testing/conformance.js';

/** The checks `kernels` fails: each one's name and message. */
function failures(kernels: Kernels): Map<string, string> {
  const failed = new Map<string, string>();
  for (const check of kernelConformance(kernels)) {
    try {
      check.run();
    } catch (error) {
      failed.set(check.name, (error as Error).message);
    }
  }
  return failed;
}

interface PlantedBug {
  readonly bug: string;
  /** what replaces the portable set's kernel */
  readonly kernels: Partial<Kernels>;
  /** the checks that must fail, and what each one's message must hold besides fast-check's counterexample */
  readonly caughtBy: Record<string, RegExp>;
}

const bugs: readonly PlantedBug[] = [
  {
    bug: 'sgemm treats any non-zero beta as 1',
    kernels: {
      sgemm: (transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc) => sgemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta === 0 ? 0 : 1, c, offC, ldc),
    },
    caughtBy: {
      'sgemm: alpha·op(A)·op(B) + beta·C as a float64 triple loop, nothing else touched': /"beta":(?!0,|1,)/,
      'sgemm: across cache blocks and edge tiles, all four transposes': /"beta":0\.5/,
      'sgemm: alpha = 0 or k = 0 only scales C by beta': /C after alpha = 0, beta = 2\[0\] = 1, want 2/,
    },
  },
  {
    bug: 'cellBackward flips the sign of the forget gate’s peephole gradient',
    kernels: {
      cellBackward: (cells, rows, peephole, dPeephole, ...rest) => {
        const before = dPeephole?.slice();
        cellBackward(cells, rows, peephole, dPeephole, ...rest);
        if (dPeephole && before) for (let j = cells; j < 2 * cells; j++) dPeephole[j] = before[j] - (dPeephole[j] - before[j]);
      },
    },
    caughtBy: {
      'cellBackward: the gradients of the gate pre-activations, of c_{t−1} and of the peepholes as the equations in float64': /"peepholes":true[^]*Got error: dPeephole\[/,
      'the LSTMP on these kernels: the loss of a chunk as the float64 reference, its gradient as finite differences': /"peepholes":true[^]*Got error: gradcheck: parameter \d+/,
    },
  },
  {
    bug: 'allFinite misses −Infinity',
    kernels: { allFinite: (values) => values.every((v) => !Number.isNaN(v) && v !== Infinity) },
    caughtBy: {
      'allFinite: false exactly when some value is NaN or ±Infinity': /Counterexample: \[\[Float32Array\.from\(\[Number\.NEGATIVE_INFINITY\]\)/,
      'allFinite: one NaN or ±Infinity anywhere in a long array': /Number\.NEGATIVE_INFINITY[^]*allFinite missed -Infinity/,
    },
  },
  {
    bug: 'logSoftmaxRows does not subtract the row maximum',
    kernels: {
      logSoftmaxRows: (x, rows, cols) => {
        checkRows('logSoftmaxRows', x, rows, cols);
        for (let r = 0; r < rows; r++) {
          let sum = 0;
          for (let j = r * cols; j < (r + 1) * cols; j++) sum += Math.exp(x[j]);
          const logZ = Math.log(sum);
          for (let j = r * cols; j < (r + 1) * cols; j++) x[j] -= logZ;
        }
      },
    },
    caughtBy: {
      'logSoftmaxRows: each row as a float64 reference, far from 0 too': /Got error: log p\[\d+\]/,
      'logSoftmaxRows: no overflow on huge logits': /Counterexample: \[\[1e\+30,0,-1e\+30\]\][^]*log p\[0\] = -Infinity, want 0/,
    },
  },
  {
    bug: 'sgdStep ignores the clip',
    kernels: { sgdStep: (params, velocity, gradient, offset, length, rate, momentum) => sgdStep(params, velocity, gradient, offset, length, rate, momentum, Infinity) },
    caughtBy: {
      'sgdStep: the slice stepped as a float64 reference, the gradient clipped, nothing else touched': /"clip":(1|0\.25)[,}][^]*Got error: parameter\[\d+\]/,
      'sgdStep: a slice longer than any staging block': /Counterexample: \[40000\][^]*parameter\[0\] = 2\.5, want 2/,
    },
  },
];

describe('kernelConformance', () => {
  it('covers every kernel of the interface, each check named once', () => {
    const checks = kernelConformance(portableKernels);
    expect(new Set(checks.map((c) => c.name)).size).toBe(checks.length);
    const covered = new Set(checks.flatMap((c) => c.functions));
    expect([...covered].sort()).toEqual(Object.keys(portableKernels).filter((key) => key !== 'name').sort());
  });

  it.each(bugs)('catches a planted bug: $bug', ({ bug, kernels, caughtBy }) => {
    const failed = failures({ ...portableKernels, ...kernels, name: `portable, but ${bug}` });
    expect([...failed.keys()].sort()).toEqual(Object.keys(caughtBy).sort());
    for (const [name, message] of failed) {
      expect(message.startsWith(`${name} (kernel set portable, but ${bug}): Property failed after `), name).toBe(true);
      expect(message, name).toMatch(/\nCounterexample: \[.+\]\nShrunk \d+ time\(s\)\nGot error: /);
      expect(message, name).toMatch(caughtBy[name]);
    }
  });

  it('runs each property as often as asked and every fixed case, from the seed given', () => {
    let calls = 0;
    const counted: Kernels = { ...portableKernels, allFinite: (values) => (calls++, portableKernels.allFinite(values)) };
    const [property, fixed] = kernelConformance(counted, { numRuns: 7 }).filter((c) => c.name.startsWith('allFinite'));
    property.run();
    expect(calls).toBe(7);
    fixed.run();
    expect(calls).toBe(7 + 12 * 4); // 3 values × 4 places, 4 calls each
    const report = (seed: number) => {
      try {
        kernelConformance({ ...portableKernels, ...bugs[0].kernels }, { seed, numRuns: 50 })[0].run();
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(report(42)).toMatch(/\{ seed: 42, /);
    expect(report(42)).toBe(report(42));
  });

  it.each(['kernels', 'plain'] as const)('hands the kernels arrays from their alloc only when told %s', (placement) => {
    const fromAlloc = new Set<Float32Array>();
    const alloc = (length: number) => {
      const x = new Float32Array(length);
      fromAlloc.add(x);
      return x;
    };
    let calls = 0;
    const watched: Kernels = {
      ...portableKernels,
      alloc,
      sgdStep: (params, velocity, gradient, ...rest) => {
        calls++;
        for (const x of [params, velocity, gradient]) if (x) expect(fromAlloc.has(x)).toBe(placement === 'kernels');
        portableKernels.sgdStep(params, velocity, gradient, ...rest);
      },
    };
    kernelConformance(watched, { placement, numRuns: 30 }).find((c) => c.name.startsWith('sgdStep: the slice'))!.run();
    expect(calls).toBe(30);
  });
});
