import fc from 'fast-check';
import { Session, type HeapProfiler } from 'node:inspector/promises';
import { describe, expect, it } from 'vitest';
import { layoutOf, viewsOf } from '../../../src/model/network/layout.js';
import { mulberry32 } from '../../../src/ops/random.js';
import { backward, createWorkspace, forward, recurrentSize, releaseWorkspace, type GradientTrace, type LstmpSpec, type LstmpState } from '../../../src/ops/nn/lstmp.js';
import { lstmpCase, lstmpSpec } from '../../../src/testing/arbitraries.js';
import { closeTo } from '../../../src/testing/close-to.js';
import { gradcheck, numericGradient } from '../../../src/testing/gradcheck.js';
import { copyState, referenceLstmpLoss, runBackward, runForward, type ChunkData } from '../../../src/testing/network.js';
import { flat, readFixture } from '../../support/fixtures.js';
import { kernelsUnderTest } from '../../support/kernels.js';

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
        expect(Array.from(first.logp)).toEqual(Array.from(whole.logp.subarray(0, frames * spec.outputs)));
        expect(Array.from(second.logp)).toEqual(Array.from(whole.logp.subarray(frames * spec.outputs)));
        expect(second.state).toEqual(whole.state);
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

/** Bytes the JS heap sampler saw allocated inside `run` (in frames below a function of that name), collected or not. */
async function bytesAllocatedIn(run: () => void): Promise<number> {
  const session = new Session();
  session.connect();
  try {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', { samplingInterval: 16, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true });
    run();
    const { profile } = await session.post('HeapProfiler.stopSampling');
    const below = (node: HeapProfiler.SamplingHeapProfileNode, inside: boolean): number => {
      const here = inside || node.callFrame.functionName === run.name;
      return (here ? node.selfSize : 0) + node.children.reduce((sum, child) => sum + below(child, here), 0);
    };
    return below(profile.head, false);
  } finally {
    session.disconnect();
  }
}

describe.each(kernelsUnderTest)('a training step on $name kernels', (kernels) => {
  // The loss it returns is a float, boxed (16 bytes) when it leaves a function that was not inlined; any
  // array, view, closure or per-element number would cost more per step than the bound allows.
  it('allocates nothing on the JS heap once compiled but the loss it returns (arrays in and outside the kernels’ memory)', async () => {
    const spec: LstmpSpec = { inputs: 5, cells: 8, projection: 4, layers: 2, outputs: 6, cellClip: 50, peepholes: true };
    const [T, B] = [5, 3];
    const random = mulberry32(7);
    const params = kernels.alloc(layoutOf(spec).size);
    for (let i = 0; i < params.length; i++) params[i] = 0.2 * random() - 0.1;
    const gradient = kernels.alloc(params.length);
    const [weights, gradients] = [viewsOf(spec, params), viewsOf(spec, gradient)];
    const ws = createWorkspace(spec, T, B, kernels.alloc);
    const state = { r: [new Float32Array(B * recurrentSize(spec)), new Float32Array(B * recurrentSize(spec))], c: [new Float32Array(B * 8), new Float32Array(B * 8)] };
    const x = Float32Array.from({ length: T * B * spec.inputs }, () => random() - 0.5); // outside: staged
    const targets = Int32Array.from({ length: T * B }, (_, n) => n % spec.outputs);
    const mask = new Float32Array(T * B).fill(1);
    const reset = new Uint8Array(B);
    const slots = layoutOf(spec).tensors;
    const step = () => {
      forward(kernels, spec, weights, x, state, reset, ws);
      backward(kernels, spec, weights, x, targets, mask, ws, gradients);
      kernels.allFinite(gradient);
      for (let i = 0; i < slots.length; i++) kernels.sgdStep(params, null, gradient, slots[i].offset, slots[i].size, 1e-3, 0, 1);
    };
    for (let i = 0; i < 20_000; i++) step(); // until the optimising compiler has them
    const steps = 500;
    const trainingSteps = () => {
      for (let i = 0; i < steps; i++) step();
    };
    expect(await bytesAllocatedIn(trainingSteps)).toBeLessThanOrEqual(32 * steps);
  });
});
