import { from, lastValueFrom, map, Subject, toArray, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { initParameters } from '../../../src/model/network/init.js';
import { layoutOf } from '../../../src/model/network/layout.js';
import { networkOf } from '../../../src/model/network/network.js';
import { orFail } from '../../../src/errors.js';
import { decodeSchedule, learningRateAt, type Schedule } from '../../../src/model/network/schedule.js';
import { zeroState, type LstmpSpec } from '../../../src/ops/nn/lstmp.js';
import { mulberry32 } from '../../../src/ops/random.js';
import { createWasmKernels } from '../../../src/ops/kernels/wasm/wasm-kernels.js';
import { bptt } from '../../../src/streams/pipeline/bptt.js';
import { chunk } from '../../../src/streams/pipeline/chunk.js';
import { delayTargets } from '../../../src/streams/pipeline/delay-targets.js';
import { frameAccuracy, runningScore, score } from '../../../src/streams/pipeline/score.js';
import { sgd } from '../../../src/streams/pipeline/sgd.js';
import type { LabelledUtterance } from '../../../src/streams/pipeline/utterance.js';
import { copyState, runBackward } from '../../../src/testing/network.js';
import { kernelsUnderTest } from '../../support/kernels.js';

const spec: LstmpSpec = { inputs: 3, cells: 6, projection: 4, layers: 2, outputs: 3, cellClip: 50, peepholes: true };

/** A task that needs memory: the target is which input channel peaked two frames ago. */
function memoryTask(count: number, seed: number): LabelledUtterance[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, (_, u) => {
    const frames = 20 + (u % 17);
    const features = new Float32Array(frames * 3);
    const targets = new Int32Array(frames);
    const peaks: number[] = [];
    for (let t = 0; t < frames; t++) {
      const peak = Math.floor(random() * 3);
      peaks.push(peak);
      features[t * 3 + peak] = 1;
      targets[t] = t >= 2 ? peaks[t - 2] : 0;
    }
    return { id: `u${u}`, frames, dim: 3, features, targets };
  });
}

describe.each(kernelsUnderTest)('bptt and sgd stages on $name kernels', (kernels) => {
  it('give each chunk the gradient of the operators with the state carried across chunks', async () => {
    const network = networkOf(spec, initParameters(spec, 3, 0.3), kernels);
    const utterances = memoryTask(6, 1);
    const chunks = await lastValueFrom(from(utterances).pipe(chunk({ streams: 2, steps: 7 }), toArray()));
    const emitted = await lastValueFrom(from(chunks).pipe(bptt(network), map((g) => ({ ...g, gradient: g.gradient.slice() })), toArray()));
    let state = zeroState(spec, 2);
    chunks.forEach((c, i) => {
      const expected = runBackward(kernels, spec, network.parameters, { ...c, x: c.features }, state);
      state = copyState(expected.state);
      expect(emitted[i].loss).toBe(expected.loss);
      expect(emitted[i].gradient).toEqual(expected.gradient);
      expect(emitted[i].frames).toBe(c.mask.reduce((a, b) => a + b, 0));
    });
  });

  it('learn a task that needs memory across chunk boundaries', async () => {
    const network = networkOf(spec, initParameters(spec, 5, 0.3), kernels);
    const schedule = orFail(decodeSchedule({ learningRate: 0.03 }));
    const train = memoryTask(60, 2);
    const dev = memoryTask(20, 3);
    const devAccuracy = async () =>
      frameAccuracy(await lastValueFrom(from(dev).pipe(delayTargets(0), chunk({ streams: 4, steps: 5 }), score(network), runningScore())));
    const before = await devAccuracy();
    for (let epoch = 0; epoch < 30; epoch++) {
      await lastValueFrom(from(train).pipe(chunk({ streams: 4, steps: 5 }), bptt(network), sgd(network, schedule)));
    }
    const after = await devAccuracy();
    expect(before).toBeLessThan(0.5);
    expect(after).toBeGreaterThan(0.9);
  });
});

describe.each(kernelsUnderTest)('sgd on $name kernels', (kernels) => {
  /** A network whose parameters (and gradients) live where the kernels work in place. */
  const inMemory = (values: Float32Array) => {
    const x = kernels.alloc(values.length);
    x.set(values);
    return x;
  };

  const schedule: Schedule = { learningRate: 0.1, decay: 0.5, decayFrames: 10, biasRateFactor: 0.5, gradientClip: 2, momentum: 0 };

  it('steps against the clipped gradient, biases and peepholes at their factor, the rate from the frames seen', async () => {
    const tiny: LstmpSpec = { ...spec, cells: 1, projection: 0, layers: 1, inputs: 1, outputs: 1 };
    const network = networkOf(tiny, kernels.alloc(4 + 4 + 4 + 3 + 1 + 1), kernels);
    const gradient = inMemory(Float32Array.from(network.parameters, (_, i) => i - 8));
    const chunkOf = { steps: 1, streams: 1, dim: 1, features: new Float32Array(1), targets: new Int32Array(1), mask: new Float32Array(1), reset: new Uint8Array(1), utterances: [] };
    const steps = await lastValueFrom(
      from([{ chunk: chunkOf, loss: 1, frames: 10, correct: 1, gradient }, { chunk: chunkOf, loss: 1, frames: 10, correct: 1, gradient }]).pipe(sgd(network, schedule), toArray()),
    );
    expect(steps.map((s) => [s.framesSeen, s.learningRate])).toEqual([[0, 0.1], [10, 0.05]]);
    const total = 0.1 + 0.05;
    network.parameters.forEach((value, i) => {
      const g = Math.max(-2, Math.min(2, i - 8));
      const isBias = i >= 8; // layer0.b, layer0.peephole, output.Wyr (not a bias), output.by
      const factor = (i >= 8 && i < 15) || i === 16 ? 0.5 : 1;
      expect(value, `parameter ${i} (${isBias})`).toBeCloseTo(-total * factor * g, 6);
    });
    expect(learningRateAt(schedule, 20)).toBeCloseTo(0.025);
  });

  it('keeps a fraction of the previous step with momentum', async () => {
    const network = networkOf(spec, kernels.alloc(initParameters(spec, 1).length), kernels);
    const gradient = inMemory(new Float32Array(network.parameters.length).fill(1));
    const chunkOf = { steps: 1, streams: 1, dim: 1, features: new Float32Array(1), targets: new Int32Array(1), mask: new Float32Array(1), reset: new Uint8Array(1), utterances: [] };
    const step = { chunk: chunkOf, loss: 1, frames: 0, correct: 0, gradient };
    const withMomentum = { ...schedule, decay: 1, biasRateFactor: 1, momentum: 0.9 };
    await lastValueFrom(from([step, step]).pipe(sgd(network, withMomentum)));
    // −0.1, then −(0.9 · 0.1 + 0.1)
    expect(network.parameters[0]).toBeCloseTo(-0.29, 6);
  });

  it('stops with an error on a NaN loss and leaves the parameters alone', async () => {
    const network = networkOf(spec, inMemory(initParameters(spec, 1)), kernels);
    const before = network.parameters.slice();
    const gradient = inMemory(new Float32Array(network.parameters.length).fill(1));
    const chunkOf = { steps: 1, streams: 1, dim: 1, features: new Float32Array(1), targets: new Int32Array(1), mask: new Float32Array(1), reset: new Uint8Array(1), utterances: [] };
    await expect(lastValueFrom(from([{ chunk: chunkOf, loss: NaN, frames: 1, correct: 0, gradient }]).pipe(sgd(network, schedule)))).rejects.toThrow(/^training diverged: the loss is not finite \(NaN\)$/);
    gradient[5] = Infinity;
    // The loss is finite: what is not is the gradient, and the message says which the number is.
    await expect(lastValueFrom(from([{ chunk: chunkOf, loss: 5392.48, frames: 1, correct: 0, gradient }]).pipe(sgd(network, schedule)))).rejects.toThrow(
      /^training diverged: the gradient is not finite \(the loss was 5392\.48\)$/,
    );
    expect(network.parameters).toEqual(before);
  });
});

describe('the training and scoring stages on wasm kernels', () => {
  it('give their workspaces, gradient and velocity back when a subscription ends: subscribing again does not grow the memory', async () => {
    const wide: LstmpSpec = { inputs: 3, cells: 64, projection: 32, layers: 2, outputs: 100, cellClip: 50, peepholes: true };
    const kernels = createWasmKernels();
    const network = networkOf(wide, kernels.alloc(layoutOf(wide).size).fill(0.01), kernels);
    const schedule: Schedule = { learningRate: 1e-3, decay: 1, decayFrames: 1, biasRateFactor: 1, gradientClip: 1, momentum: 0.9 };
    const utterances = memoryTask(8, 5);
    const once = async () => {
      const chunks = () => from(utterances).pipe(chunk({ streams: 4, steps: 20 }));
      await lastValueFrom(chunks().pipe(bptt(network), sgd(network, schedule)));
      await lastValueFrom(chunks().pipe(score(network), runningScore()));
    };
    await once();
    const bytes = kernels.memory.buffer.byteLength;
    for (let i = 0; i < 30; i++) await once(); // 30 × about 1.3 MB if nothing came back
    expect(kernels.memory.buffer.byteLength).toBe(bytes);
  });

  // Every array a stage allocates is given back however its subscription ends: completed, errored, or unsubscribed.
  it.each(['an error', 'an unsubscribe'] as const)('give back every array they allocated on %s', async (ending) => {
    const wasm = createWasmKernels();
    const live = new Set<Float32Array>();
    const counted = {
      ...wasm,
      alloc: (length: number) => {
        const array = wasm.alloc(length);
        live.add(array);
        return array;
      },
      release: (array: Float32Array) => {
        expect(live.delete(array)).toBe(true);
        wasm.release(array);
      },
    };
    const network = networkOf(spec, wasm.alloc(layoutOf(spec).size).fill(0.01), counted);
    const schedule: Schedule = { learningRate: 1e-3, decay: 1, decayFrames: 1, biasRateFactor: 1, gradientClip: 1, momentum: 0.9 };
    const chunks = await lastValueFrom(from(memoryTask(8, 5)).pipe(chunk({ streams: 2, steps: 10 }), toArray()));
    type Piece = (typeof chunks)[number];
    const stages: [string, (source: Subject<Piece>) => Observable<unknown>, Piece, RegExp][] = [
      // A feature that is not a number: the loss diverges and sgd refuses the update.
      ['bptt and sgd', (source) => source.pipe(bptt(network), sgd(network, schedule)), { ...chunks[2], features: chunks[2].features.map((x, j) => (j === 0 ? NaN : x)) }, /training diverged/],
      // Nothing for score to refuse but a chunk the network cannot take.
      ['score', (source) => source.pipe(score(network)), { ...chunks[2], dim: 4, features: new Float32Array((chunks[2].features.length / 3) * 4) }, /4 features per frame/],
    ];
    for (const [name, pipeline, bad, error] of stages) {
      const source = new Subject<Piece>();
      let failed: Error | null = null;
      const subscription = pipeline(source).subscribe({ error: (thrown: Error) => (failed = thrown) });
      source.next(chunks[0]);
      source.next(chunks[1]);
      expect(live.size, name).toBeGreaterThan(0);
      if (ending === 'an error') {
        source.next(bad);
        expect((failed as Error | null)?.message, name).toMatch(error);
      } else {
        subscription.unsubscribe();
      }
      expect(live.size, name).toBe(0);
    }
  });
});
