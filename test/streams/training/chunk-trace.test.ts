import { lastValueFrom, of, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { initParameters } from '../../../src/model/network/init.js';
import { networkOf } from '../../../src/model/network/network.js';
import { mulberry32 } from '../../../src/ops/random.js';
import { bptt } from '../../../src/streams/pipeline/bptt.js';
import { chunk } from '../../../src/streams/pipeline/chunk.js';
import { traceChunk } from '../../../src/streams/training/chunk-trace.js';
import { delayTargets } from '../../../src/streams/pipeline/delay-targets.js';
import type { LabelledUtterance } from '../../../src/streams/pipeline/utterance.js';

const spec = { inputs: 3, cells: 4, projection: 2, layers: 2, outputs: 3, cellClip: 50, peepholes: true };
const random = mulberry32(7);
const utterance: LabelledUtterance = {
  id: 'u1',
  frames: 23,
  dim: 3,
  features: Float32Array.from({ length: 23 * 3 }, () => 2 * random() - 1),
  targets: Int32Array.from({ length: 23 }, (_, t) => Math.floor(t / 8)),
};
const network = () => networkOf(spec, initParameters(spec, 3, 0.5));

describe('traceChunk', () => {
  it('sees each chunk exactly as training does: same inputs, targets, carried state and loss', async () => {
    const steps = 10;
    const delay = 2;
    // training's view: one stream, the state carried from chunk to chunk
    const trained = await lastValueFrom(
      of(utterance).pipe(delayTargets(delay), chunk({ streams: 1, steps }), bptt(network()), toArray()),
    );
    expect(trained).toHaveLength(3); // 25 delayed frames in chunks of 10
    for (let index = 0; index < trained.length; index++) {
      const trace = await traceChunk(network(), utterance, { steps, index, delay });
      const { chunk: c, loss } = trained[index];
      expect(trace.features).toEqual(c.features);
      expect(trace.targets).toEqual(c.targets);
      expect(trace.mask).toEqual(c.mask);
      expect(trace.reset).toBe(index === 0);
      expect(trace.chunks).toBe(3);
      expect(trace.firstFrame).toBe(index * steps);
      expect(trace.frames).toBe(Math.min(steps, 25 - index * steps));
      expect(trace.loss.reduce((a, b) => a + b, 0)).toBeCloseTo(loss, 4);
      for (let t = 0; t < steps; t++) {
        if (trace.targets[t] < 0) expect(Number.isNaN(trace.targetProbability[t])).toBe(true);
        else expect(trace.loss[t]).toBeCloseTo(-trace.mask[t] * Math.log(trace.targetProbability[t]), 4);
      }
      expect(trace.layers).toHaveLength(2);
      for (const layer of trace.layers) {
        expect(layer.inputGate).toHaveLength(steps * spec.cells);
        expect(layer.outputs).toHaveLength(steps * spec.projection);
        for (const gate of [layer.inputGate, layer.forgetGate, layer.outputGate]) expect(gate.every((v) => v > 0 && v < 1)).toBe(true);
        expect([...layer.dr, ...layer.dc].every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
      }
    }
  });

  it("records the top layer's ‖∂L/∂r_t‖ at the last step as the softmax's gradient through W_yr alone", async () => {
    const net = network();
    const trace = await traceChunk(net, utterance, { steps: 8, index: 1, delay: 0 });
    const t = 7;
    expect(trace.mask[t]).toBe(1);
    const { outputs: O, projection: R } = spec;
    // ∂L/∂logits = softmax − onehot(target) at a counted step; at the last step nothing comes back from later
    const logits = Array.from({ length: O }, (_, o) => {
      let sum = net.weights.by[o];
      for (let j = 0; j < R; j++) sum += net.weights.Wyr[o * R + j] * trace.layers[1].outputs[t * R + j];
      return sum;
    });
    const z = Math.log(logits.reduce((sum, v) => sum + Math.exp(v), 0));
    const dLogits = logits.map((v, o) => Math.exp(v - z) - (o === trace.targets[t] ? 1 : 0));
    const dr = Array.from({ length: R }, (_, j) => dLogits.reduce((sum, g, o) => sum + g * net.weights.Wyr[o * R + j], 0));
    expect(trace.layers[1].dr[t]).toBeCloseTo(Math.hypot(...dr), 5);
  });

  it('refuses a chunk the utterance does not have', async () => {
    await expect(traceChunk(network(), utterance, { steps: 10, index: 3, delay: 2 })).rejects.toThrow(
      new InputError('utterance u1 has 3 chunks of 10 steps (25 frames with the delay); there is no chunk 3'),
    );
  });
});
