import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lineChart, thinPoints, type Point } from '../../src/report/svg-chart.js';

/** The numbers of every M/L command of the chart's lines: one array of points per subpath. */
function subpaths(svg: string): Point[][] {
  return [...svg.matchAll(/<path class="line [^"]*" d="(M[^"H]+)"/g)].flatMap(([, d]) =>
    d.split('M').filter(Boolean).map((part) => part.split('L').map((xy) => xy.split(' ').map(Number) as unknown as Point)),
  );
}

const ticks = (svg: string, anchor: string) => [...svg.matchAll(new RegExp(`<text x="[^"]+" y="[^"]+" text-anchor="${anchor}"[^>]*>([^<]+)</text>`, 'g'))].map((m) => m[1]);

describe('lineChart', () => {
  it('draws each series as one line through its points, inside the plot, with its name in the legend', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.double({ min: -5, max: 5, noNaN: true })), { minLength: 1, maxLength: 30 }), (raw) => {
        const points = [...raw].sort((a, b) => a[0] - b[0]) as Point[];
        const svg = lineChart({ title: 'T', x: { label: 'x' }, y: { label: 'y' }, series: [{ name: 'series <1>', points }] });
        const [line, ...rest] = subpaths(svg);
        expect(rest).toEqual([]);
        expect(line).toHaveLength(points.length);
        for (const [x, y] of line) {
          expect(x).toBeGreaterThanOrEqual(58);
          expect(x).toBeLessThanOrEqual(540 - 14);
          expect(y).toBeGreaterThanOrEqual(10);
          expect(y).toBeLessThanOrEqual(280 - 42);
        }
        expect(svg).toContain('series &lt;1&gt;</li>');
        expect(svg).toContain(`data-points="${points.length}"`);
      }),
      { numRuns: 300 },
    );
  });

  it('puts ticks at round values covering the data', () => {
    const svg = lineChart({ title: 'T', x: { label: 'frames' }, y: { label: 'acc' }, series: [{ name: 'a', points: [[0, 0.13], [1000, 0.87]] }] });
    expect(ticks(svg, 'end')).toEqual(['0', '0.2', '0.4', '0.6', '0.8', '1']);
    expect(ticks(svg, 'middle').slice(0, 3)).toEqual(['0', '200', '400']);
  });

  it('breaks a line where y is not a number, and leaves out values a log scale cannot show', () => {
    const broken = lineChart({ title: 'T', x: { label: 'x' }, y: { label: 'y' }, series: [{ name: 'a', points: [[0, 1], [1, 2], [2, NaN], [3, 1], [4, 2]] }] });
    expect(subpaths(broken).map((p) => p.length)).toEqual([2, 2]);
    const log = lineChart({ title: 'T', x: { label: 'x' }, y: { label: 'y', log: true }, series: [{ name: 'a', points: [[0, 0], [1, 0.01], [2, 10]] }] });
    expect(subpaths(log).map((p) => p.length)).toEqual([2]);
    expect(ticks(log, 'end')).toEqual(['0.01', '0.1', '1', '10']);
  });

  it('says so when there is nothing to draw', () => {
    expect(lineChart({ title: 'T', x: { label: 'x' }, y: { label: 'y' }, series: [{ name: 'a', points: [] }] })).toContain('no data yet');
  });
});

describe('thinPoints', () => {
  it('keeps at most `max` points, each an average of neighbours, in order', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { maxLength: 200 }), fc.integer({ min: 1, max: 50 }), (ys, max) => {
        const points = ys.map((y, x): Point => [x, y]);
        const thinned = thinPoints(points, max);
        expect(thinned.length).toBeLessThanOrEqual(Math.max(max, 0));
        if (points.length <= max) expect(thinned).toEqual(points);
        for (let i = 1; i < thinned.length; i++) expect(thinned[i][0]).toBeGreaterThan(thinned[i - 1][0]);
        for (const [, y] of thinned) {
          expect(y).toBeGreaterThanOrEqual(Math.min(...ys) - 1e-9);
          expect(y).toBeLessThanOrEqual(Math.max(...ys) + 1e-9);
        }
      }),
    );
  });
});

describe('lineChart, a point alone', () => {
  it('gets a dot where a line cannot be drawn through it', () => {
    const svg = lineChart({ title: 'T', x: { label: 'x' }, y: { label: 'y' }, series: [{ name: 'a', points: [[0, 1], [1, NaN], [2, 3], [3, 4]] }] });
    expect(svg.match(/<circle /g)).toHaveLength(1);
  });
});
