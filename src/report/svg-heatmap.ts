import { escapeHtml, formatNumber } from './html.js';
import { pixels } from './svg-chart.js';

/** Blue for negative and red for positive values around 0, or one colour from `min` (clear) to `max` (solid). */
export type HeatScale = { readonly kind: 'diverging'; readonly bound: number } | { readonly kind: 'sequential'; readonly min: number; readonly max: number };

export interface HeatmapOptions {
  readonly title: string;
  /** [steps, units], step-major (as the network's buffers hold them); `stride` values per step, the first `units` drawn */
  readonly values: Float32Array;
  readonly steps: number;
  readonly units: number;
  readonly stride?: number;
  readonly scale: HeatScale;
  readonly xLabel: string;
  readonly yLabel: string;
  /** [steps, units] (same stride): 1 outlines the cell, e.g. a clipped cell */
  readonly marks?: Uint8Array;
  /** what an outline means, for the legend */
  readonly markLabel?: string;
  /** unit 0 at the bottom (as a spectrogram's low frequencies) instead of the top */
  readonly bottomUp?: boolean;
  /** the number of the first step, for the x axis */
  readonly firstStep?: number;
  /** a sentence under the heatmap saying what to look at (HTML) */
  readonly note?: string;
  readonly wide?: boolean;
}

/** Opacity levels a cell's colour is rounded to: enough for the eye, and each level is one SVG path. */
const LEVELS = 24;
const MARGIN = { left: 58, right: 14, top: 8, bottom: 42 };

/**
 * A heatmap as an inline SVG figure: time across, units down, each cell's
 * colour the value's size and sign, with a colour key and axes. Colours are the
 * page's (light and dark mode); each opacity level is drawn as one path, so a
 * 20 × 128 map stays a few kilobytes.
 *
 * @example heatmap({ title: 'input gate', values: gates, steps: 20, units: 128, scale: { kind: 'sequential', min: 0, max: 1 }, xLabel: 'step t', yLabel: 'cell' })
 */
export function heatmap(options: HeatmapOptions): string {
  const { steps: T, units: N, scale } = options;
  const stride = options.stride ?? N;
  const width = options.wide ? 1080 : 540;
  const plotHeight = Math.round(Math.min(Math.max(N * 4, 96), 300));
  const height = MARGIN.top + plotHeight + MARGIN.bottom;
  const plot = { left: MARGIN.left, top: MARGIN.top, right: width - MARGIN.right - 70, bottom: MARGIN.top + plotHeight };

  // one path per (colour, level): "M t u h1 v1 h-1 z" per cell
  const paths = new Map<string, string[]>();
  const row = (u: number) => (options.bottomUp ? N - 1 - u : u);
  let drawn = 0;
  for (let t = 0; t < T; t++) {
    for (let u = 0; u < N; u++) {
      const v = options.values[t * stride + u];
      if (!Number.isFinite(v)) continue;
      const [colour, strength] = shade(scale, v);
      const level = Math.round(Math.min(Math.max(strength, 0), 1) * LEVELS);
      if (level === 0) continue;
      const key = `${colour} ${level}`;
      if (!paths.has(key)) paths.set(key, []);
      paths.get(key)!.push(`M${t} ${row(u)}h1v1h-1z`);
      drawn++;
    }
  }
  const cells = [...paths].map(([key, d]) => {
    const [colour, level] = key.split(' ');
    return `<path class="heat-${colour}" fill-opacity="${(Number(level) / LEVELS).toFixed(3)}" d="${d.join('')}"/>`;
  });
  const marked: string[] = [];
  if (options.marks) {
    for (let t = 0; t < T; t++) for (let u = 0; u < N; u++) if (options.marks[t * stride + u]) marked.push(`M${t} ${row(u)}h1v1h-1z`);
  }
  const markPath = marked.length > 0 ? `<path class="heat-mark" d="${marked.join('')}" vector-effect="non-scaling-stroke" stroke-width="1.5"/>` : '';

  const first = options.firstStep ?? 0;
  const cellWidth = (plot.right - plot.left) / T;
  const xEvery = tickEvery(T, 12);
  const xTicks: string[] = [];
  for (let t = 0; t < T; t += xEvery) {
    xTicks.push(`<text x="${pixels(plot.left + (t + 0.5) * cellWidth)}" y="${plot.bottom + 15}" text-anchor="middle">${first + t}</text>`);
  }
  const cellHeight = plotHeight / N;
  const yEvery = tickEvery(N, Math.max(2, Math.floor(plotHeight / 24)));
  const yTicks: string[] = [];
  for (let u = 0; u < N; u += yEvery) {
    yTicks.push(`<text x="${plot.left - 6}" y="${pixels(plot.top + (row(u) + 0.5) * cellHeight)}" text-anchor="end" dominant-baseline="middle">${u}</text>`);
  }

  const key = colourKey(scale, plot.right + 16, plot.top, plotHeight);
  const markLegend = marked.length > 0 && options.markLabel ? ` <span class="mark-key">▢ outlined: ${escapeHtml(options.markLabel)} (${marked.length})</span>` : '';
  return (
    `<figure class="heatmap${options.wide ? ' wide' : ''}" data-chart="${escapeHtml(options.title)}" data-points="${drawn}">` +
    `<figcaption>${escapeHtml(options.title)}${markLegend}</figcaption>` +
    `<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(options.title)}">` +
    `<svg x="${plot.left}" y="${plot.top}" width="${pixels(plot.right - plot.left)}" height="${plotHeight}" viewBox="0 0 ${T} ${N}" preserveAspectRatio="none" shape-rendering="crispEdges">${cells.join('')}${markPath}</svg>` +
    `<rect class="heat-frame" x="${plot.left}" y="${plot.top}" width="${pixels(plot.right - plot.left)}" height="${plotHeight}"/>` +
    `<g class="tick">${xTicks.join('')}${yTicks.join('')}</g>` +
    `<text class="axis-label" x="${(plot.left + plot.right) / 2}" y="${height - 6}" text-anchor="middle">${escapeHtml(options.xLabel)}</text>` +
    `<text class="axis-label" transform="translate(14 ${plot.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(options.yLabel)}</text>` +
    key +
    `</svg>${options.note ? `<p class="note">${options.note}</p>` : ''}</figure>`
  );
}

/** The colour class and strength (0..1) of a value. */
function shade(scale: HeatScale, v: number): ['pos' | 'neg' | 'seq', number] {
  if (scale.kind === 'diverging') return [v >= 0 ? 'pos' : 'neg', scale.bound > 0 ? Math.abs(v) / scale.bound : 0];
  const span = scale.max - scale.min;
  return ['seq', span > 0 ? (v - scale.min) / span : 0];
}

/** A vertical colour key: the scale's ends and middle, labelled. */
function colourKey(scale: HeatScale, x: number, top: number, height: number): string {
  const steps = 24;
  const rects: string[] = [];
  const values = Array.from({ length: steps }, (_, i) => {
    const f = 1 - (i + 0.5) / steps;
    return scale.kind === 'diverging' ? (2 * f - 1) * scale.bound : scale.min + f * (scale.max - scale.min);
  });
  values.forEach((v, i) => {
    const [colour, strength] = shade(scale, v);
    rects.push(`<rect class="heat-${colour}" fill-opacity="${strength.toFixed(3)}" x="${x}" y="${pixels(top + (i * height) / steps)}" width="12" height="${pixels(height / steps + 0.5)}"/>`);
  });
  const [hi, mid, lo] = scale.kind === 'diverging' ? [scale.bound, 0, -scale.bound] : [scale.max, (scale.max + scale.min) / 2, scale.min];
  const label = (v: number, y: number) => `<text x="${x + 17}" y="${pixels(y)}" dominant-baseline="middle">${escapeHtml(formatNumber(v))}</text>`;
  return `<g class="tick">${rects.join('')}<rect class="heat-frame" x="${x}" y="${top}" width="12" height="${height}"/>${label(hi, top + 4)}${label(mid, top + height / 2)}${label(lo, top + height - 4)}</g>`;
}

/** A tick spacing of 1, 2, 5, 10, … that gives at most `most` ticks over n positions. */
function tickEvery(n: number, most: number): number {
  for (const every of [1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000]) if (Math.ceil(n / every) <= most) return every;
  return Math.ceil(n / most);
}
