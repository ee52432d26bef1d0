import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { heatmap } from '../../src/report/svg-heatmap.js';

/** Every drawn cell as [class, opacity, t, u]. */
function cells(svg: string): [string, number, number, number][] {
  return [...svg.matchAll(/<path class="heat-(\w+)" fill-opacity="([\d.]+)" d="([^"]+)"/g)].flatMap(([, cls, opacity, d]) =>
    [...d.matchAll(/M(\d+) (\d+)h1v1h-1z/g)].map(([, t, u]): [string, number, number, number] => [cls, Number(opacity), Number(t), Number(u)]),
  );
}

describe('heatmap', () => {
  it('draws every cell whose value shows, in the colour of its sign and with its size as opacity', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer(), (steps, units, seed) => {
        const values = Float32Array.from({ length: steps * units }, (_, i) => 2 * Math.sin(seed + 7.1 * i));
        const svg = heatmap({ title: 'h', values, steps, units, scale: { kind: 'diverging', bound: 2 }, xLabel: 't', yLabel: 'u' });
        const drawn = cells(svg);
        for (const [cls, opacity, t, u] of drawn) {
          const v = values[t * units + u];
          expect(cls).toBe(v >= 0 ? 'pos' : 'neg');
          expect(Math.abs(opacity - Math.abs(v) / 2)).toBeLessThanOrEqual(1 / 48 + 1e-3) // level rounding, then 3 decimals;
        }
        const visible = Array.from(values).filter((v) => Math.round((Math.abs(v) / 2) * 24) > 0).length;
        expect(drawn).toHaveLength(visible);
        expect(svg).toContain(`data-points="${visible}"`);
      }),
    );
  });

  it('reads a strided buffer, draws unit 0 at the bottom when asked, and outlines marked cells', () => {
    // [2 steps, stride 3]: only the first 2 units of each step are drawn
    const values = Float32Array.from([1, 0.5, 9, 0.25, 1, 9]);
    const marks = Uint8Array.from([0, 1, 0, 0, 0, 0]);
    const svg = heatmap({ title: 'h', values, steps: 2, units: 2, stride: 3, scale: { kind: 'sequential', min: 0, max: 1 }, xLabel: 't', yLabel: 'u', marks, markLabel: 'near the clip', bottomUp: true });
    expect(cells(svg).map(([, opacity, t, u]) => [t, u, opacity]).sort()).toEqual([[0, 0, 0.5], [0, 1, 1], [1, 0, 1], [1, 1, 0.25]].sort());
    expect(svg).toMatch(/<path class="heat-mark" d="M0 0h1v1h-1z"/);
    expect(svg).toContain('outlined: near the clip (1)');
  });
});
