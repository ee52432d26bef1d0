import { describe, expect, it } from 'vitest';
import { initParameters } from '../../src/model/network/init.js';
import { networkOf } from '../../src/model/network/network.js';
import { explainPage } from '../../src/report/explain.js';
import { traceChunk } from '../../src/streams/training/chunk-trace.js';

const charts = (html: string) => [...html.matchAll(/data-chart="([^"]+)" data-points="(\d+)"/g)].map(([, title, points]) => [title, Number(points)] as const);

describe('explainPage', () => {
  it('lays open every panel of a chunk: inputs, each layer, the loss and the gradient flowing back', async () => {
    const spec = { inputs: 6, cells: 5, projection: 3, layers: 2, outputs: 3, cellClip: 1, peepholes: true };
    const utterance = { id: 'u<1>', frames: 30, dim: 6, features: Float32Array.from({ length: 180 }, (_, i) => Math.sin(i)), targets: Int32Array.from({ length: 30 }, (_, t) => t % 3) };
    const trace = await traceChunk(networkOf(spec, initParameters(spec, 1, 2)), utterance, { steps: 12, index: 1, delay: 3 });
    const html = explainPage(trace, { checkpoint: 'ck.msgpack', corpus: 'corpora/x', states: ['a', 'b', 'c'] });
    const titles = charts(html).map(([title]) => title);
    const layer = ['Input gate i_t', 'Forget gate f_t', 'Output gate o_t', 'Cell state c_t', 'Largest |c_t| per step, and the clip band', 'Output r_t (projection, 3 units)'];
    expect(titles).toEqual([
      'targets and mask',
      'Input features x_t',
      ...layer,
      ...layer,
      'Loss per step: −log p(target)',
      'Probability of the target state',
      'Gradient norms flowing back through the steps',
      'How much the loss depends on each input: |∂L/∂x_t|',
    ]);
    for (const [title, points] of charts(html)) expect(points, title).toBeGreaterThan(0);
    expect(html).toContain('Truncated BPTT, laid open: u&lt;1&gt;');
    expect(html).toContain('carried'); // chunk 1 carries its state in
    // weights this large drive cells past a clip of ±1: they are outlined
    expect(html).toMatch(/outlined: within 10% of the ±1 clip \(\d+\)/);
    expect(html).not.toMatch(/<script|https?:/);
  });
});
