import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initParameters } from '../../../src/model/network/init.js';
import { layoutOf, parameterCounts, parameterTotal, viewsOf } from '../../../src/model/network/layout.js';
import type { LstmpSpec } from '../../../src/ops/nn/lstmp.js';
import { lstmpSpec } from '../../../src/testing/arbitraries.js';

const paper: LstmpSpec = { inputs: 40, cells: 800, projection: 512, layers: 2, outputs: 14247, cellClip: 50, peepholes: true };

const specArbitrary = lstmpSpec({ maxInputs: 50, maxCells: 50, maxProjection: 20, maxLayers: 4, minOutputs: 1, maxOutputs: 50 });

describe('parameter counts', () => {
  it("reproduce the paper's 13.16 M for LSTMP 800/512 × 2 layers, 40 inputs, 14,247 outputs", () => {
    expect(parameterCounts(paper)).toEqual({ paper: 13_161_664, total: 13_182_311 });
  });

  it('follow the LSTM formula without projection', () => {
    // n_c·n_c·4 + n_i·n_c·4 + n_c·n_o + n_c·3 for one layer
    const lstm = { ...paper, projection: 0, layers: 1, cells: 750 };
    expect(parameterCounts(lstm).paper).toBe(750 * 750 * 4 + 40 * 750 * 4 + 750 * 14247 + 750 * 3);
  });

  it('total = paper formula + biases', () => {
    fc.assert(
      fc.property(specArbitrary, (spec) => {
        const { paper: bare, total } = parameterCounts(spec);
        expect(total).toBe(bare + 4 * spec.cells * spec.layers + spec.outputs);
      }),
    );
  });

  it('parameterTotal gives the layout\'s size without building it', () => {
    fc.assert(fc.property(specArbitrary, (spec) => parameterTotal(spec) === layoutOf(spec).size));
  });
});

describe('layout', () => {
  it('names every tensor with its shape, contiguous and in order', () => {
    expect(layoutOf({ ...paper, outputs: 10 }).tensors.map((t) => [t.name, t.shape])).toEqual([
      ['layer0.Wx', [3200, 40]],
      ['layer0.Wr', [3200, 512]],
      ['layer0.b', [3200]],
      ['layer0.peephole', [3, 800]],
      ['layer0.Wrm', [512, 800]],
      ['layer1.Wx', [3200, 512]],
      ['layer1.Wr', [3200, 512]],
      ['layer1.b', [3200]],
      ['layer1.peephole', [3, 800]],
      ['layer1.Wrm', [512, 800]],
      ['output.Wyr', [10, 512]],
      ['output.by', [10]],
    ]);
  });

  it('tiles the flat buffer exactly, and views share its memory', () => {
    fc.assert(
      fc.property(specArbitrary, (spec) => {
        const layout = layoutOf(spec);
        let next = 0;
        for (const slot of layout.tensors) {
          expect(slot.offset).toBe(next);
          expect(slot.size).toBe(slot.shape.reduce((a, b) => a * b, 1));
          next += slot.size;
        }
        expect(layout.size).toBe(next);
        const buffer = new Float32Array(layout.size);
        const views = viewsOf(spec, buffer);
        views.by[0] = 7;
        expect(buffer[layout.size - spec.outputs]).toBe(7);
        expect(views.layers.every((l) => (l.Wrm !== null) === spec.projection > 0 && (l.peephole !== null) === spec.peepholes)).toBe(true);
      }),
    );
  });

  it('refuses a buffer of the wrong size', () => {
    expect(() => viewsOf(paper, new Float32Array(3))).toThrow(/needs 13182311/);
  });
});

describe('initParameters', () => {
  const small = { ...paper, cells: 8, projection: 4, outputs: 5 };

  it('is uniform in (-0.02, 0.02), reproducible by seed', () => {
    const a = initParameters(small, 7);
    expect(a).toEqual(initParameters(small, 7));
    expect(a).not.toEqual(initParameters(small, 8));
    expect(a.every((v) => v > -0.02 && v < 0.02)).toBe(true);
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    expect(Math.abs(mean)).toBeLessThan(0.002);
  });
});
