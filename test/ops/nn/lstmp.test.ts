import fc from 'fast-check';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { layoutOf, viewsOf } from '../../../src/model/network/layout.js';
import { backward, createWorkspace, forward, inputGradient, recurrentSize, releaseWorkspace, type GradientTrace, type LstmpSpec, type LstmpState } from '../../../src/ops/nn/lstmp.js';
import { lstmpCase, lstmpSpec } from '../../../src/testing/arbitraries.js';
import { closeTo } from '../../../src/testing/close-to.js';
import { gradcheck, numericGradient } from '../../../src/testing/gradcheck.js';
import { copyState, referenceLstmpLoss, runBackward, runForward, type ChunkData } from '../../../src/testing/network.js';
import { flat, readFixture } from '../../support/fixtures.js';
import { kernelRecipes, kernelsUnderTest, type KernelRecipe } from '../../support/kernels.js';

interface TorchFixture {
  config: { inputs: number; cells: number; projection: number; layers: number; outputs: number; T: number; B: number };
  x: unknown;
  r0: number[][][];
  c0: number[][][];
  targets: unknown;
  mask: unknown;
  tensors: Record<string, unknown>;
  logprobs: unknown;
  loss: number;
  rT: number[][][];
  cT: number[][][];
  grads: Record<string, unknown>;
}

/** |actual − expected| ≤ 1e-4 · max(|expected|, 1e-3) for every element. */
const torchTolerance = (expected: number) => 1e-4 * Math.max(Math.abs(expected), 1e-3);

describe.each(kernelsUnderTest)('LSTMP forward and truncated BPTT on $name kernels', (kernels) => {
  describe('reproduces PyTorch nn.LSTM(proj_size) + nn.Linear (lstmp-torch-small.json)', () => {
    const fixture = readFixture<TorchFixture>('lstmp-torch-small.json');
    const { inputs, cells, projection, layers, outputs, T, B } = fixture.config;
    const spec: LstmpSpec = { inputs, cells, projection, layers, outputs, cellClip: 50, peepholes: true };
    const layout = layoutOf(spec);
    const params = new Float32Array(layout.size);
    for (const slot of layout.tensors) params.set(flat(fixture.tensors[slot.name]), slot.offset);
    const state: LstmpState = {
      r: fixture.r0.map((layer) => Float32Array.from(flat(layer))),
      c: fixture.c0.map((layer) => Float32Array.from(flat(layer))),
    };
    const chunk: ChunkData = {
      steps: T,
      streams: B,
      x: Float32Array.from(flat(fixture.x)),
      targets: Int32Array.from(flat(fixture.targets)),
      mask: Float32Array.from(flat(fixture.mask)),
    };
    const result = runBackward(kernels, spec, params, chunk, state);

    it('log-probabilities', () => {
      closeTo(result.logp, flat(fixture.logprobs), torchTolerance, 'log p');
    });
    it('final states rT and cT', () => {
      for (let k = 0; k < layers; k++) {
        closeTo(result.state.r[k], flat(fixture.rT[k]), torchTolerance, `rT[${k}]`);
        closeTo(result.state.c[k], flat(fixture.cT[k]), torchTolerance, `cT[${k}]`);
      }
    });
    it('the summed masked loss', () => {
      expect(Math.abs(result.loss - fixture.loss) / fixture.loss).toBeLessThan(1e-4);
    });
    it('the gradient of every tensor', () => {
      for (const slot of layout.tensors) {
        if (slot.name.endsWith('.peephole')) continue; // PyTorch has no peepholes: the fixture holds no gradient for them
        closeTo(result.gradient.subarray(slot.offset, slot.offset + slot.size), flat(fixture.grads[slot.name]), torchTolerance, slot.name);
      }
    });
  });

  it('matches central finite differences for every parameter', () => {
    fc.assert(
      fc.property(lstmpCase(), ({ spec, params, chunk, state }) => {
        const { gradient } = runBackward(kernels, spec, params, chunk, state);
        gradcheck((probe) => runForward(kernels, spec, probe, chunk, state).loss, params, gradient, { step: 1e-2, tolerance: { absolute: 2e-4, relative: 1e-2 } });
      }),
      { numRuns: 40 },
    );
  });

  it('passes no gradient through a clipped cell', () => {
    // Gate biases drive i, f and g to ≈1, so |c| exceeds the clip at every step:
    // c_t is then the constant ±clip, and nothing upstream of it can matter.
    fc.assert(
      fc.property(lstmpCase(), ({ spec: base, params, chunk }) => {
        const spec = { ...base, cellClip: 0.5 };
        const C = spec.cells;
        const w = viewsOf(spec, params);
        for (const layer of w.layers) {
          layer.b.fill(6, 0, 3 * C);
          if (layer.peephole) layer.peephole.fill(0, 0, 2 * C);
        }
        const { gradient } = runBackward(kernels, spec, params, chunk);
        const g = viewsOf(spec, gradient);
        for (const layer of g.layers) {
          for (const row of [layer.Wx, layer.Wr]) {
            const columns = row.length / (4 * C);
            expect(Array.from(row.subarray(0, 3 * C * columns)).every((v) => v === 0)).toBe(true);
          }
          expect(Array.from(layer.b.subarray(0, 3 * C)).every((v) => v === 0)).toBe(true);
          if (layer.peephole) expect(Array.from(layer.peephole.subarray(0, 2 * C)).every((v) => v === 0)).toBe(true);
        }
      }),
      { numRuns: 30 },
    );
  });

  // Bit for bit where a product's rounding does not depend on how many rows it has. The native set picks its sgemm
  // path by the rows of A (dot products below 16, packed panels from 16: src/ops/kernels/native/c/sgemm.h), so a chunk
  // of 2T steps and its halves may round their input and output products differently: there the halves agree to
  // 1e-5 of the largest value (a state carried wrong is off at the values' own scale).
  const rowIndependent = !kernels.name.startsWith('native');
  const same = (actual: Float32Array, expected: Float32Array, label: string) => {
    if (rowIndependent) return expect(Array.from(actual), label).toEqual(Array.from(expected));
    const scale = Math.max(1e-30, ...Array.from(expected, Math.abs));
    closeTo(actual, expected, { absolute: 1e-5 * scale }, label);
  };

  it('gives the same outputs over one chunk of 2T steps as over two chunks of T with the state carried', () => {
    fc.assert(
      fc.property(lstmpCase({ steps: { min: 2, max: 8 } }).filter(({ chunk }) => chunk.steps % 2 === 0), ({ spec, params, chunk, state }) => {
        const whole = runForward(kernels, spec, params, chunk, state);
        const half = chunk.steps / 2;
        const frames = half * chunk.streams;
        const piece = (from: number, reset?: Uint8Array): ChunkData => ({
          steps: half,
          streams: chunk.streams,
          x: chunk.x.subarray(from * spec.inputs, (from + frames) * spec.inputs),
          targets: chunk.targets.subarray(from, from + frames),
          mask: chunk.mask.subarray(from, from + frames),
          reset,
        });
        const first = runForward(kernels, spec, params, piece(0, chunk.reset), state);
        const second = runForward(kernels, spec, params, piece(frames), first.state);
        same(first.logp, whole.logp.subarray(0, frames * spec.outputs), 'log p, first half');
        same(second.logp, whole.logp.subarray(frames * spec.outputs), 'log p, second half');
        whole.state.r.forEach((r, k) => same(second.state.r[k], r, `r[${k}]`));
        whole.state.c.forEach((c, k) => same(second.state.c[k], c, `c[${k}]`));
      }),
      { numRuns: 60 },
    );
  });

  it("ignores a masked frame's target", () => {
    fc.assert(
      fc.property(lstmpCase({ steps: { min: 1, max: 5 } }), fc.nat(), ({ spec, params, chunk, state }, pick) => {
        const masked = Array.from(chunk.mask.keys()).filter((n) => chunk.mask[n] === 0);
        fc.pre(masked.length > 0);
        const frame = masked[pick % masked.length];
        const targets = chunk.targets.slice();
        targets[frame] = (targets[frame] + 1) % spec.outputs;
        const before = runBackward(kernels, spec, params, chunk, state);
        const after = runBackward(kernels, spec, params, { ...chunk, targets }, state);
        expect(after.loss).toBe(before.loss);
        expect(after.gradient).toEqual(before.gradient);
      }),
      { numRuns: 60 },
    );
  });

  it('starts a reset stream exactly as from a zero state', () => {
    fc.assert(
      fc.property(lstmpCase({ steps: { min: 1, max: 5 } }), ({ spec, params, chunk, state }) => {
        const { streams: B } = chunk;
        const O = spec.outputs;
        const zero: LstmpState = { r: state.r.map((a) => a.map(() => 0)), c: state.c.map((a) => a.map(() => 0)) };
        const carried = runForward(kernels, spec, params, { ...chunk, reset: new Uint8Array(B) }, state);
        const fresh = runForward(kernels, spec, params, { ...chunk, reset: new Uint8Array(B) }, zero);
        const mixed = runForward(kernels, spec, params, chunk, state);
        for (let n = 0; n < chunk.steps * B; n++) {
          const expected = chunk.reset![n % B] ? fresh : carried;
          expect(Array.from(mixed.logp.subarray(n * O, (n + 1) * O))).toEqual(Array.from(expected.logp.subarray(n * O, (n + 1) * O)));
        }
      }),
      { numRuns: 60 },
    );
  });
  describe('gradient trace', () => {
    const traced = (spec: LstmpSpec, params: Float32Array, chunk: ChunkData, state: LstmpState) => {
      const ws = createWorkspace(spec, chunk.steps, chunk.streams);
      const w = viewsOf(spec, params);
      forward(kernels, spec, w, chunk.x, copyState(state), chunk.reset ?? null, ws);
      const gradient = new Float32Array(layoutOf(spec).size);
      const trace: GradientTrace = {
        dr: Array.from({ length: spec.layers }, () => new Float32Array(chunk.steps)),
        dc: Array.from({ length: spec.layers }, () => new Float32Array(chunk.steps)),
      };
      const loss = backward(kernels, spec, w, chunk.x, chunk.targets, chunk.mask, ws, viewsOf(spec, gradient), trace);
      return { loss, gradient, trace };
    };

    // fast-check's floats favour 0 and tiny values; spread weights make every path (peepholes too) count.
    const spreadWeights = lstmpCase({ spreadWeights: true });

    it('records ‖∂L/∂r_t‖ and ‖∂L/∂c_t‖ per layer and step, as finite differences of an independent reference find them', () => {
      fc.assert(
        fc.property(spreadWeights, ({ spec, params, chunk, state }) => {
          const { loss, trace } = traced(spec, params, chunk, state);
          expect(Math.abs(referenceLstmpLoss(spec, params, chunk, state) - loss)).toBeLessThan(1e-4 * Math.max(1, Math.abs(loss)));
          // ‖∂L/∂r_t‖ or ‖∂L/∂c_t‖ by float64 central differences of the reference, nudging r_t or c_t
          const numericNorm = (kind: 'r' | 'c', layer: number, step: number) => {
            const size = chunk.streams * (kind === 'r' ? recurrentSize(spec) : spec.cells);
            const loss = (values: ArrayLike<number>) => referenceLstmpLoss(spec, params, chunk, state, { kind, layer, step, values });
            return Math.hypot(...numericGradient(loss, new Float64Array(size), { step: 1e-5 }));
          };
          for (let k = 0; k < spec.layers; k++) {
            for (let t = 0; t < chunk.steps; t++) {
              for (const kind of ['r', 'c'] as const) {
                const numeric = numericNorm(kind, k, t);
                const recorded = (kind === 'r' ? trace.dr : trace.dc)[k][t];
                expect(Math.abs(recorded - numeric), `‖∂L/∂${kind}‖ layer ${k} step ${t}`).toBeLessThan(1e-4 + 1e-3 * numeric);
              }
            }
          }
        }),
        { numRuns: 30 },
      );
    });

    it('gives ∂L/∂x after backward as float64 finite differences of the independent reference find it', () => {
      fc.assert(
        fc.property(spreadWeights, ({ spec, params, chunk, state }) => {
          const ws = createWorkspace(spec, chunk.steps, chunk.streams);
          const w = viewsOf(spec, params);
          forward(kernels, spec, w, chunk.x, copyState(state), chunk.reset ?? null, ws);
          backward(kernels, spec, w, chunk.x, chunk.targets, chunk.mask, ws, viewsOf(spec, new Float32Array(layoutOf(spec).size)));
          const dx = new Float32Array(chunk.x.length);
          inputGradient(kernels, spec, w, ws, dx);
          const loss = (x: Float64Array) => referenceLstmpLoss(spec, params, { ...chunk, x: Float32Array.from(x) }, state);
          const numeric = numericGradient(loss, Float64Array.from(chunk.x), { step: 1e-3 });
          dx.forEach((value, i) => expect(Math.abs(value - numeric[i]), `∂L/∂x[${i}]`).toBeLessThan(1e-3 + 1e-2 * Math.abs(numeric[i])));
        }),
        { numRuns: 30 },
      );
    });

    it('leaves the loss and the gradient exactly as without it', () => {
      fc.assert(
        fc.property(lstmpCase({ steps: { min: 1, max: 5 } }), ({ spec, params, chunk, state }) => {
          const plain = runBackward(kernels, spec, params, chunk, state);
          const withTrace = traced(spec, params, chunk, state);
          expect(withTrace.loss).toBe(plain.loss);
          expect(withTrace.gradient).toEqual(plain.gradient);
        }),
        { numRuns: 40 },
      );
    });
  });
});

describe('createWorkspace and releaseWorkspace', () => {
  it('give back exactly the arrays allocated, each once, for any T (0 too): a plain LSTM’s m, part of r, is not one of them', () => {
    fc.assert(
      fc.property(lstmpSpec(), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 3 }), (spec, T, B) => {
        const allocated: Float32Array[] = [];
        const ws = createWorkspace(spec, T, B, (length) => {
          const x = new Float32Array(length);
          allocated.push(x);
          return x;
        });
        const released: Float32Array[] = [];
        releaseWorkspace(ws, (x) => released.push(x));
        expect(released).toHaveLength(allocated.length);
        expect(new Set(released).size).toBe(released.length);
        expect(released.every((x) => allocated.includes(x))).toBe(true);
      }),
    );
  });
});

/** The step-allocation check (test/support/step-allocation.ts) in a thread of its own, on a kernel set it makes there. */
function stepAllocationInThread(recipe: KernelRecipe): Promise<{ readonly bytes: number; readonly steps: number }> {
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const source = `
    const { workerData, parentPort } = require('node:worker_threads');
    import(${tsx}).then(({ register }) => { register(); return import(workerData.url); })
      .then(({ stepAllocation }) => stepAllocation(workerData.recipe)).then((result) => parentPort.postMessage(result));`;
  const url = new URL('../../support/step-allocation.ts', import.meta.url).href;
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData: { url, recipe } });
    worker.once('error', reject);
    worker.once('message', (result: { bytes: number; steps: number }) => void worker.terminate().then(() => resolve(result)));
  });
}

// Each set in a thread of its own, as training threads run: V8 shares its call-site feedback among all
// closures of one source location, so two wasm sets used in one thread make the kernels' calls into their
// instances polymorphic, and the f32 results come back boxed (about 750 bytes a step).
describe.each(kernelRecipes.map((recipe, i) => ({ recipe, name: kernelsUnderTest[i].name })))('a training step on $name kernels', ({ recipe }) => {
  // The loss it returns is a float, boxed (16 bytes) when it leaves a function that was not inlined; any
  // array, view, closure or per-element number would cost more per step than the bound allows.
  it('allocates nothing on the JS heap once compiled but the loss it returns (arrays in and outside the kernels’ memory)', async () => {
    const { bytes, steps } = await stepAllocationInThread(recipe);
    expect(bytes).toBeLessThanOrEqual(32 * steps);
  });
});
