import { escapeHtml, formatNumber } from './html.js';

/** A point [x, y]; a non-finite y breaks the line there. */
export type Point = readonly [number, number];

export interface ChartSeries {
  readonly name: string;
  readonly points: readonly Point[];
  /** a line (the default), dots at the points, or both */
  readonly mark?: 'line' | 'dots' | 'both';
  readonly thin?: boolean;
  readonly dashed?: boolean;
  /** palette slot 1–6 (the series' position by default) */
  readonly colour?: number;
}

export interface ChartAxis {
  readonly label: string;
  /** a logarithmic scale (values ≤ 0 are left out) */
  readonly log?: boolean;
  readonly format?: (value: number) => string;
  /** fixed ends of the axis; by default the data's range, rounded out to ticks */
  readonly min?: number;
  readonly max?: number;
}

/** A horizontal band between two y values, e.g. the range where cells are clipped. */
export interface ChartBand {
  readonly from: number;
  readonly to: number;
  readonly label: string;
}

export interface LineChartOptions {
  readonly title: string;
  readonly x: ChartAxis;
  readonly y: ChartAxis;
  readonly series: readonly ChartSeries[];
  readonly bands?: readonly ChartBand[];
  /** a sentence under the chart saying what to look at (HTML) */
  readonly note?: string;
  /** span the whole row of a grid */
  readonly wide?: boolean;
  readonly width?: number;
  readonly height?: number;
}

const MARGIN = { left: 58, right: 14, top: 10, bottom: 42 };

/**
 * A line chart as an inline SVG figure: axes with ticks and labels, grid lines,
 * a legend, optional horizontal bands, colours from the page's palette (so it
 * follows light and dark mode). Pure: data in, markup out.
 *
 * @example lineChart({ title: 'Frame accuracy', x: { label: 'frames' }, y: { label: 'accuracy' }, series: [{ name: 'dev', points: [[0, 0.1], [1e5, 0.6]] }] })
 */
export function lineChart(options: LineChartOptions): string {
  const width = options.width ?? (options.wide ? 1080 : 540);
  const height = options.height ?? 280;
  const plot = { left: MARGIN.left, top: MARGIN.top, right: width - MARGIN.right, bottom: height - MARGIN.bottom };
  const usable = options.series.map((s) => ({
    ...s,
    points: s.points.filter(([x, y]) => Number.isFinite(x) && (!options.x.log || x > 0) && (!Number.isFinite(y) || !options.y.log || y > 0)),
  }));
  const finite = usable.flatMap((s) => s.points.filter(([, y]) => Number.isFinite(y)));
  const legend = `<ul class="legend">${usable
    .map((s, i) => `<li><svg viewBox="0 0 22 10" aria-hidden="true">${swatch(s, colourOf(s, i))}</svg>${escapeHtml(s.name)}</li>`)
    .join('')}</ul>`;
  const head = `<figure class="chart${options.wide ? ' wide' : ''}" data-chart="${escapeHtml(options.title)}" data-points="${finite.length}"><figcaption>${escapeHtml(options.title)}</figcaption>${legend}`;
  const tail = `${options.note ? `<p class="note">${options.note}</p>` : ''}</figure>`;
  const svgOpen = `<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(options.title)}">`;
  if (finite.length === 0) {
    return `${head}${svgOpen}<text class="empty" x="${width / 2}" y="${height / 2}" text-anchor="middle">no data yet</text></svg>${tail}`;
  }

  const xScale = axisScale(options.x, finite.map(([x]) => x), [plot.left, plot.right]);
  const bandValues = (options.bands ?? []).flatMap((b) => [b.from, b.to]);
  const yScale = axisScale(options.y, [...finite.map(([, y]) => y), ...bandValues], [plot.bottom, plot.top]);
  const parts: string[] = [svgOpen];

  // grid and ticks
  for (const tick of yScale.ticks) {
    const y = pixels(yScale.at(tick));
    parts.push(`<line class="gridline" x1="${plot.left}" x2="${plot.right}" y1="${y}" y2="${y}"/>`);
    parts.push(`<g class="tick"><text x="${plot.left - 7}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeHtml(yScale.format(tick))}</text></g>`);
  }
  for (const tick of xScale.ticks) {
    const x = pixels(xScale.at(tick));
    parts.push(`<line class="gridline" x1="${x}" x2="${x}" y1="${plot.top}" y2="${plot.bottom}"/>`);
    parts.push(`<g class="tick"><text x="${x}" y="${plot.bottom + 16}" text-anchor="middle">${escapeHtml(xScale.format(tick))}</text></g>`);
  }

  for (const band of options.bands ?? []) {
    const [top, bottom] = [yScale.at(Math.max(band.from, band.to)), yScale.at(Math.min(band.from, band.to))];
    parts.push(`<rect class="band" x="${plot.left}" y="${pixels(top)}" width="${plot.right - plot.left}" height="${pixels(Math.max(bottom - top, 0))}"/>`);
    for (const edge of [top, bottom]) parts.push(`<line class="band-edge" x1="${plot.left}" x2="${plot.right}" y1="${pixels(edge)}" y2="${pixels(edge)}"/>`);
    parts.push(`<text class="band-label" x="${plot.right - 4}" y="${pixels(top) + 12}" text-anchor="end">${escapeHtml(band.label)}</text>`);
  }

  parts.push(`<g class="axis"><path d="M${plot.left} ${plot.top}V${plot.bottom}H${plot.right}" fill="none"/></g>`);
  parts.push(`<text class="axis-label" x="${(plot.left + plot.right) / 2}" y="${height - 6}" text-anchor="middle">${escapeHtml(options.x.label)}</text>`);
  parts.push(
    `<text class="axis-label" transform="translate(14 ${(plot.top + plot.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(options.y.label)}</text>`,
  );

  usable.forEach((s, i) => {
    const colour = colourOf(s, i);
    const mark = s.mark ?? 'line';
    const at = (p: Point) => `${pixels(xScale.at(p[0]))} ${pixels(yScale.at(p[1]))}`;
    // a point with no finite neighbour makes no line: it gets a dot
    const alone = (i: number) => !Number.isFinite(s.points[i - 1]?.[1] ?? NaN) && !Number.isFinite(s.points[i + 1]?.[1] ?? NaN);
    if (mark !== 'dots') {
      let d = '';
      let pen = false;
      for (const p of s.points) {
        if (!Number.isFinite(p[1])) {
          pen = false;
          continue;
        }
        d += `${pen ? 'L' : 'M'}${at(p)}`;
        pen = true;
      }
      if (d) parts.push(`<path class="line s${colour}${s.thin ? ' thin' : ''}${s.dashed ? ' dashed' : ''}" d="${d}"><title>${escapeHtml(s.name)}</title></path>`);
    }
    if (mark !== 'line' || s.points.some((_, i) => alone(i))) {
      const dots = s.points
        .filter(([, y], i) => Number.isFinite(y) && (mark !== 'line' || alone(i)))
        .map((p) => `<circle cx="${pixels(xScale.at(p[0]))}" cy="${pixels(yScale.at(p[1]))}" r="3"><title>${escapeHtml(`${s.name}: ${xScale.format(p[0])}, ${formatNumber(p[1], 4)}`)}</title></circle>`)
        .join('');
      parts.push(`<g class="s${colour}">${dots}</g>`);
    }
  });
  parts.push('</svg>');
  return `${head}${parts.join('')}${tail}`;
}

/**
 * At most `max` points: consecutive points averaged in equal groups, so a long
 * run's thousands of progress reports draw as a readable line.
 */
export function thinPoints(points: readonly Point[], max: number): Point[] {
  if (points.length <= max) return [...points];
  const thinned: Point[] = [];
  for (let g = 0; g < max; g++) {
    const from = Math.floor((g * points.length) / max);
    const to = Math.floor(((g + 1) * points.length) / max);
    let [sx, sy, n] = [0, 0, 0];
    for (let i = from; i < to; i++) {
      if (!Number.isFinite(points[i][1])) continue;
      sx += points[i][0];
      sy += points[i][1];
      n++;
    }
    if (n > 0) thinned.push([sx / n, sy / n]);
  }
  return thinned;
}

interface Scale {
  readonly at: (value: number) => number;
  readonly ticks: readonly number[];
  readonly format: (value: number) => string;
}

/** Maps data values to pixels over [from, to], with ticks at round values. */
function axisScale(axis: ChartAxis, values: readonly number[], [from, to]: readonly [number, number]): Scale {
  let lo = axis.min ?? Math.min(...values);
  let hi = axis.max ?? Math.max(...values);
  const format = axis.format ?? ((v: number) => formatNumber(v));
  if (axis.log) {
    lo = Math.pow(10, Math.floor(Math.log10(lo)));
    hi = Math.pow(10, Math.ceil(Math.log10(hi)));
    if (hi <= lo) hi = lo * 10;
    const decades = Math.round(Math.log10(hi / lo));
    const every = Math.max(1, Math.ceil(decades / 6));
    const ticks: number[] = [];
    for (let d = 0; d <= decades; d += every) {
      const decade = lo * Math.pow(10, d);
      ticks.push(decade);
      // few decades: 2 and 5 between them too
      if (decades <= 2 && d < decades) ticks.push(2 * decade, 5 * decade);
    }
    const span = Math.log10(hi / lo);
    return { at: (v) => from + ((Math.log10(v / lo)) / span) * (to - from), ticks, format };
  }
  if (!(hi - lo > Math.max(Math.abs(hi), Math.abs(lo), 1e-12) * 1e-9)) {
    // one value (or a range too small to tick): widen around it
    const pad = Math.max(Math.abs(hi) * 0.1, 1e-9);
    [lo, hi] = [lo - pad, hi + pad];
  }
  const step = niceStep((hi - lo) / 4);
  if (axis.min === undefined) lo = Math.floor(lo / step) * step;
  if (axis.max === undefined) hi = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return { at: (v) => from + ((v - lo) / (hi - lo)) * (to - from), ticks, format };
}

/** 1, 2 or 5 times a power of ten, near `rough`. */
function niceStep(rough: number): number {
  const power = Math.pow(10, Math.floor(Math.log10(rough)));
  const fraction = rough / power;
  return (fraction < 1.5 ? 1 : fraction < 3.5 ? 2 : fraction < 7.5 ? 5 : 10) * power;
}

function colourOf(series: ChartSeries, index: number): number {
  return series.colour ?? (index % 6) + 1;
}

function swatch(series: ChartSeries, colour: number): string {
  if (series.mark === 'dots') return `<circle class="s${colour}" cx="11" cy="5" r="3"/>`;
  const dots = series.mark === 'both' ? `<circle class="s${colour}" cx="11" cy="5" r="3"/>` : '';
  return `<path class="line s${colour}${series.dashed ? ' dashed' : ''}" d="M1 5H21"/>${dots}`;
}

/** A coordinate rounded to a tenth of a pixel: finer is invisible and bloats the file. */
export function pixels(v: number): number {
  return Math.round(v * 10) / 10;
}
