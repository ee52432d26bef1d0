import fc from 'fast-check';
import { Session, type HeapProfiler } from 'node:inspector/promises';
import { describe, expect, it } from 'vitest';
import { layoutOf, viewsOf } from '../../../src/model/network/layout.js';
import { mulberry32 } from '../../../src/ops/random.js';
import { backward, createWorkspace, forward, recurrentSize, type GradientTrace, type LstmpSpec, type LstmpState } from '../../../src/ops/nn/lstmp.js';
import { flat, readFixture } from '../../support/fixtures.js';
import { kernelsUnderTest } from '../../support/kernels.js';
import { copyState, runBackward, runForward, type Chunk } from '../../support/network.js';

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

/** Max over elements of |actual − expected| / max(|expected|, floor). */
function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>, floor = 1e-3): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), floor));
  }
  return worst;
}

const specArbitrary = fc.record({
  inputs: fc.integer({ min: 1, max: 3 }),
  cells: fc.integer({ min: 1, max: 3 }),
  projection: fc.integer({ min: 0, max: 2 }),
  layers: fc.integer({ min: 1, max: 3 }),
  outputs: fc.integer({ min: 2, max: 4 }),
  cellClip: fc.constant(50),
  peepholes: fc.boolean(),
});

const float = (bound: number) => fc.float({ min: Math.fround(-bound), max: Math.fround(bound), noNaN: true });

/** A network, a chunk with random mask, targets and resets, and a random carried state. */
function caseArbitrary(steps: { min: number; max: number }) {
  return specArbitrary.chain((spec) =>
    fc.record({ steps: fc.integer(steps), streams: fc.integer({ min: 1, max: 3 }) }).chain(({ steps: T, streams: B }) => {
      const R = recurrentSize(spec);
      return fc.record({
        spec: fc.constant(spec),
        params: fc.float32Array({ minLength: layoutOf(spec).size, maxLength: layoutOf(spec).size, min: Math.fround(-0.8), max: Math.fround(0.8), noNaN: true }),
        chunk: fc.record({
          steps: fc.constant(T),
          streams: fc.constant(B),
          x: fc.float32Array({ minLength: T * B * spec.inputs, maxLength: T * B * spec.inputs, min: -2, max: 2, noNaN: true }),
          targets: fc.array(fc.integer({ min: 0, max: spec.outputs - 1 }), { minLength: T * B, maxLength: T * B }).map((a) => Int32Array.from(a)),
          mask: fc.array(fc.constantFrom(0, 1, 1), { minLength: T * B, maxLength: T * B }).map((a) => Float32Array.from(a)),
          reset: fc.array(fc.constantFrom(0, 1), { minLength: B, maxLength: B }).map((a) => Uint8Array.from(a)),
        }),
        state: fc.record({
          r: fc.array(fc.array(float(0.9), { minLength: B * R, maxLength: B * R }).map((a) => Float32Array.from(a)), { minLength: spec.layers, maxLength: spec.layers }),
          c: fc.array(fc.array(float(2), { minLength: B * spec.cells, maxLength: B * spec.cells }).map((a) => Float32Array.from(a)), { minLength: spec.layers, maxLength: spec.layers }),
        }),
      });
    }),
  );
}

/** Adds `delta` to one element of r_t or c_t (the cell state after clipping) of one layer, as the forward pass runs. */
interface Nudge {
  readonly kind: 'r' | 'c';
  readonly layer: number;
  readonly step: number;
  /** index into the step's [B, R] or [B, C] values */
  readonly index: number;
  readonly delta: number;
}

/**
 * The summed masked cross entropy of a chunk, in float64, written plainly from
 * the paper's equations one stream and one unit at a time: an independent
 * reference in which any r_t or c_t can be nudged.
 */
function referenceLoss(spec: LstmpSpec, params: Float32Array, chunk: Chunk, state: LstmpState, nudge?: Nudge): number {
  const w = viewsOf(spec, params);
  const { steps: T, streams: B } = chunk;
  const { cells: C, inputs: I, outputs: O } = spec;
  const R = recurrentSize(spec);
  const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
  const r = state.r.map((layer) => Array.from(layer));
  const c = state.c.map((layer) => Array.from(layer));
  for (let b = 0; b < B; b++) {
    if (!chunk.reset?.[b]) continue;
    for (let k = 0; k < spec.layers; k++) {
      r[k].fill(0, b * R, (b + 1) * R);
      c[k].fill(0, b * C, (b + 1) * C);
    }
  }
  let loss = 0;
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      let input = Array.from(chunk.x.subarray((t * B + b) * I, (t * B + b + 1) * I), Number);
      for (let k = 0; k < spec.layers; k++) {
        const lw = w.layers[k];
        const rPrev = r[k].slice(b * R, (b + 1) * R);
        const z = (row: number) => {
          let sum = lw.b[row];
          for (let i = 0; i < input.length; i++) sum += lw.Wx[row * input.length + i] * input[i];
          for (let i = 0; i < R; i++) sum += lw.Wr[row * R + i] * rPrev[i];
          return sum;
        };
        const m: number[] = [];
        for (let j = 0; j < C; j++) {
          const cPrev = c[k][b * C + j];
          const peep = (gate: number, value: number) => (lw.peephole ? lw.peephole[gate * C + j] * value : 0);
          const i = sigmoid(z(j) + peep(0, cPrev));
          const f = sigmoid(z(C + j) + peep(1, cPrev));
          const g = Math.tanh(z(2 * C + j));
          let cell = Math.max(-spec.cellClip, Math.min(spec.cellClip, f * cPrev + i * g));
          if (nudge?.kind === 'c' && nudge.layer === k && nudge.step === t && nudge.index === b * C + j) cell += nudge.delta;
          const o = sigmoid(z(3 * C + j) + peep(2, cell));
          c[k][b * C + j] = cell;
          m.push(o * Math.tanh(cell));
        }
        const out = lw.Wrm ? Array.from({ length: R }, (_, p) => m.reduce((sum, mj, j) => sum + lw.Wrm![p * C + j] * mj, 0)) : m;
        if (nudge?.kind === 'r' && nudge.layer === k && nudge.step === t && nudge.index >= b * R && nudge.index < (b + 1) * R) out[nudge.index - b * R] += nudge.delta;
        for (let p = 0; p < R; p++) r[k][b * R + p] = out[p];
        input = out;
      }
      const n = t * B + b;
      if (chunk.mask[n] === 0) continue;
      const logits = Array.from({ length: O }, (_, o) => input.reduce((sum, rp, p) => sum + w.Wyr[o * R + p] * rp, w.by[o]));
      const top = Math.max(...logits);
      const logZ = top + Math.log(logits.reduce((sum, v) => sum + Math.exp(v - top), 0));
      loss -= chunk.mask[n] * (logits[chunk.targets[n]] - logZ);
    }
  }
  return loss;
}

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
    const chunk: Chunk = {
      steps: T,
      streams: B,
      x: Float32Array.from(flat(fixture.x)),
      targets: Int32Array.from(flat(fixture.targets)),
      mask: Float32Array.from(flat(fixture.mask)),
    };
    const result = runBackward(kernels, spec, params, chunk, state);

    it('log-probabilities', () => {
      expect(maxRelativeError(result.logp, flat(fixture.logprobs))).toBeLessThan(1e-4);
    });
    it('final states rT and cT', () => {
      for (let k = 0; k < layers; k++) {
        expect(maxRelativeError(result.state.r[k], flat(fixture.rT[k]))).toBeLessThan(1e-4);
        expect(maxRelativeError(result.state.c[k], flat(fixture.cT[k]))).toBeLessThan(1e-4);
      }
    });
    it('the summed masked loss', () => {
      expect(Math.abs(result.loss - fixture.loss) / fixture.loss).toBeLessThan(1e-4);
    });
    it('the gradient of every tensor', () => {
      for (const slot of layout.tensors) {
        if (slot.name.endsWith('.peephole')) continue; // PyTorch has no peepholes: the fixture holds no gradient for them
        const gradient = result.gradient.subarray(slot.offset, slot.offset + slot.size);
        expect(maxRelativeError(gradient, flat(fixture.grads[slot.name])), slot.name).toBeLessThan(1e-4);
      }
    });
  });

  it('matches central finite differences for every parameter', () => {
    fc.assert(
      fc.property(caseArbitrary({ min: 1, max: 4 }), ({ spec, params, chunk, state }) => {
        const { gradient } = runBackward(kernels, spec, params, chunk, state);
        const probe = params.slice();
        for (let p = 0; p < probe.length; p++) {
          const original = probe[p];
          probe[p] = original + 1e-2;
          const up = probe[p];
          const lossUp = runForward(kernels, spec, probe, chunk, state).loss;
          probe[p] = original - 1e-2;
          const down = probe[p];
          const lossDown = runForward(kernels, spec, probe, chunk, state).loss;
          probe[p] = original;
          const numeric = (lossUp - lossDown) / (up - down);
          expect(Math.abs(gradient[p] - numeric), `parameter ${p}`).toBeLessThan(2e-4 + 1e-2 * Math.abs(numeric));
        }
      }),
      { numRuns: 40 },
    );
  });

  it('passes no gradient through a clipped cell', () => {
    // Gate biases drive i, f and g to ≈1, so |c| exceeds the clip at every step:
    // c_t is then the constant ±clip, and nothing upstream of it can matter.
    fc.assert(
      fc.property(caseArbitrary({ min: 1, max: 4 }), ({ spec: base, params, chunk }) => {
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
      fc.property(caseArbitrary({ min: 2, max: 8 }).filter(({ chunk }) => chunk.steps % 2 === 0), ({ spec, params, chunk, state }) => {
        const whole = runForward(kernels, spec, params, chunk, state);
        const half = chunk.steps / 2;
        const frames = half * chunk.streams;
        const piece = (from: number, reset?: Uint8Array): Chunk => ({
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
      fc.property(caseArbitrary({ min: 1, max: 5 }), fc.nat(), ({ spec, params, chunk, state }, pick) => {
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
      fc.property(caseArbitrary({ min: 1, max: 5 }), ({ spec, params, chunk, state }) => {
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
    const traced = (spec: LstmpSpec, params: Float32Array, chunk: Chunk, state: LstmpState) => {
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
    const spreadWeights = fc.tuple(caseArbitrary({ min: 1, max: 4 }), fc.integer()).map(([example, seed]) => {
      const random = mulberry32(seed);
      return { ...example, params: example.params.map(() => 1.6 * random() - 0.8) };
    });

    it('records ‖∂L/∂r_t‖ and ‖∂L/∂c_t‖ per layer and step, as finite differences of an independent reference find them', () => {
      fc.assert(
        fc.property(spreadWeights, ({ spec, params, chunk, state }) => {
          const { loss, trace } = traced(spec, params, chunk, state);
          expect(Math.abs(referenceLoss(spec, params, chunk, state) - loss)).toBeLessThan(1e-4 * Math.max(1, Math.abs(loss)));
          const h = 1e-5;
          const numericNorm = (kind: 'r' | 'c', layer: number, step: number) => {
            const size = chunk.streams * (kind === 'r' ? recurrentSize(spec) : spec.cells);
            let sum = 0;
            for (let index = 0; index < size; index++) {
              const up = referenceLoss(spec, params, chunk, state, { kind, layer, step, index, delta: h });
              const down = referenceLoss(spec, params, chunk, state, { kind, layer, step, index, delta: -h });
              sum += ((up - down) / (2 * h)) ** 2;
            }
            return Math.sqrt(sum);
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
        fc.property(caseArbitrary({ min: 1, max: 5 }), ({ spec, params, chunk, state }) => {
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
