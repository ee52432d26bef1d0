/**
 * The building blocks of lstmp's self-contained HTML pages: escaping, number
 * formats, and a page shell whose stylesheet is inline (system fonts, no
 * scripts, nothing fetched), light or dark as the reader's system prefers.
 */

/** Text safe inside HTML (and SVG) elements and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * A count with an SI suffix: 950, 12.5k, 3.1M.
 *
 * @example formatCount(1_250_000) // '1.25M'
 */
export function formatCount(n: number): string {
  const abs = Math.abs(n);
  const [scale, suffix] = abs >= 1e9 ? [1e9, 'G'] : abs >= 1e6 ? [1e6, 'M'] : abs >= 1e3 ? [1e3, 'k'] : [1, ''];
  return `${trimZeros((n / scale).toPrecision(3))}${suffix}`;
}

/** A number with thousands separators: 13,120,000. */
export function formatInteger(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A fraction as a percentage: 0.8612 → '86.12%'. */
export function formatPercent(fraction: number, digits = 2): string {
  return `${(100 * fraction).toFixed(digits)}%`;
}

/** A duration in seconds in the largest sensible unit: '42 s', '7.5 min', '2.1 h'. */
export function formatSeconds(seconds: number): string {
  if (seconds < 120) return `${trimZeros(seconds.toPrecision(3))} s`;
  if (seconds < 7200) return `${trimZeros((seconds / 60).toPrecision(3))} min`;
  return `${trimZeros((seconds / 3600).toPrecision(3))} h`;
}

/** A number in at most `digits` significant figures, without exponent for everyday sizes. */
export function formatNumber(n: number, digits = 3): string {
  if (n === 0 || !Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e6) return trimZeros(n.toPrecision(digits));
  return n.toExponential(digits - 1).replace(/\.?0+e/, 'e');
}

function trimZeros(text: string): string {
  return text.includes('.') && !text.includes('e') ? text.replace(/\.?0+$/, '') : text;
}

/** A table of label → value rows (values are HTML). */
export function definitionTable(rows: readonly (readonly [string, string])[]): string {
  return `<table class="facts">${rows.map(([label, value]) => `<tr><th scope="row">${escapeHtml(label)}</th><td>${value}</td></tr>`).join('')}</table>`;
}

/** A headline figure: a big value with a small label under it (value is HTML). */
export function figureCard(label: string, value: string, note = ''): string {
  return `<div class="card"><div class="card-value">${value}</div><div class="card-label">${escapeHtml(label)}</div>${note ? `<div class="card-note">${escapeHtml(note)}</div>` : ''}</div>`;
}

/** A section with a heading, a short text saying what it shows (HTML), and its content. */
export function section(id: string, title: string, intro: string, content: string): string {
  return `<section id="${escapeHtml(id)}"><h2>${escapeHtml(title)}</h2>${intro ? `<p class="intro">${intro}</p>` : ''}${content}</section>`;
}

export interface PageOptions {
  readonly title: string;
  /** a line under the title (HTML) */
  readonly subtitle?: string;
  /** links to the page's sections: [id, label] */
  readonly contents?: readonly (readonly [string, string])[];
  readonly body: string;
  /** the page plays embedded sound (data: URIs) */
  readonly media?: boolean;
}

/** A whole HTML document: one file that opens anywhere, offline. */
export function htmlPage(options: PageOptions): string {
  const nav = options.contents?.length
    ? `<nav>${options.contents.map(([id, label]) => `<a href="#${escapeHtml(id)}">${escapeHtml(label)}</a>`).join('')}</nav>`
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:${options.media ? '; media-src data:' : ''}">
<title>${escapeHtml(options.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${escapeHtml(options.title)}</h1>${options.subtitle ? `<p class="subtitle">${options.subtitle}</p>` : ''}${nav}</header>
<main>
${options.body}
</main>
<footer>Made by lstmp. One self-contained file: no scripts, nothing loaded from the network.</footer>
</body>
</html>
`;
}

// Colours are CSS variables so that charts and heatmaps (inline SVG) follow the page into dark mode.
// Series colours are the Okabe–Ito palette, readable with colour-vision deficiencies.
export const STYLE = `
:root {
  color-scheme: light dark;
  --bg: #fbfbfa; --panel: #ffffff; --ink: #1d1f23; --muted: #5d6470; --faint: #e4e6ea; --grid: #eceef1; --accent: #0b63c5;
  --s1: #0072b2; --s2: #d55e00; --s3: #009e73; --s4: #cc79a7; --s5: #e69f00; --s6: #56b4e9;
  --pos: #c0392b; --neg: #1f5fbf; --seq: #3b3b98; --band: #d55e00;
  --sub: #b35900; --sub-bg: #fff1e0; --del: #b3261e; --del-bg: #fde7e5; --ins: #0a7a45; --ins-bg: #e2f6ec;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #15171b; --panel: #1d2026; --ink: #e7e9ed; --muted: #a1a8b3; --faint: #343842; --grid: #2a2e36; --accent: #6cb2ff;
    --s1: #56b4e9; --s2: #f08a4b; --s3: #3fcf9f; --s4: #e29bc6; --s5: #f3c04f; --s6: #9fd3f5;
    --pos: #ff7b6b; --neg: #6aa8ff; --seq: #b9b5ff; --band: #f08a4b;
    --sub: #ffb366; --sub-bg: #3d2a14; --del: #ff8a80; --del-bg: #3f1d1b; --ins: #6fe0a6; --ins-bg: #143526;
  }
}
* { box-sizing: border-box; }
html { background: var(--bg); color: var(--ink); }
body { margin: 0 auto; max-width: 1180px; padding: 32px 28px 48px; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 28px; line-height: 1.2; margin: 0 0 6px; letter-spacing: -0.01em; }
h2 { font-size: 20px; margin: 0 0 6px; letter-spacing: -0.005em; }
h3 { font-size: 15px; margin: 18px 0 4px; }
header { border-bottom: 1px solid var(--faint); padding-bottom: 14px; margin-bottom: 26px; }
.subtitle { color: var(--muted); margin: 0 0 12px; }
nav { display: flex; flex-wrap: wrap; gap: 6px 18px; font-size: 14px; }
nav a, a { color: var(--accent); text-decoration: none; }
nav a:hover, a:hover { text-decoration: underline; }
section { margin: 0 0 38px; }
p.intro { color: var(--muted); max-width: 78ch; margin: 0 0 16px; }
code, .mono, td.num { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 13px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 12px; margin: 0 0 34px; }
.card { background: var(--panel); border: 1px solid var(--faint); border-radius: 10px; padding: 14px 16px; }
.card-value { font-size: 24px; font-weight: 650; font-variant-numeric: tabular-nums; letter-spacing: -0.01em; }
.card-label { color: var(--muted); font-size: 13px; }
.card-note { color: var(--muted); font-size: 12px; margin-top: 2px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 18px; }
figure { margin: 0; background: var(--panel); border: 1px solid var(--faint); border-radius: 10px; padding: 14px 16px 10px; min-width: 0; }
figure.wide { grid-column: 1 / -1; }
figure.strip { margin-bottom: 18px; }
figcaption { font-weight: 600; font-size: 14px; margin-bottom: 4px; }
figure p.note { color: var(--muted); font-size: 13px; margin: 6px 0 2px; }
td .note, span.note { color: var(--muted); font-size: 12px; }
audio { height: 28px; max-width: 220px; }
figure svg { display: block; width: 100%; height: auto; overflow: visible; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; list-style: none; padding: 0; margin: 0 0 6px; font-size: 13px; color: var(--muted); }
.legend li { display: flex; align-items: center; gap: 6px; }
.legend svg { width: 22px; height: 10px; display: inline; }
.axis text, .tick text { fill: var(--muted); font-size: 11px; font-variant-numeric: tabular-nums; }
.axis-label { fill: var(--muted); font-size: 12px; }
.axis line, .axis path { stroke: var(--muted); }
.gridline { stroke: var(--grid); }
.empty { fill: var(--muted); font-size: 13px; }
.s1 { stroke: var(--s1); fill: var(--s1); } .s2 { stroke: var(--s2); fill: var(--s2); } .s3 { stroke: var(--s3); fill: var(--s3); }
.s4 { stroke: var(--s4); fill: var(--s4); } .s5 { stroke: var(--s5); fill: var(--s5); } .s6 { stroke: var(--s6); fill: var(--s6); }
path.line { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
path.line.thin { stroke-width: 1.25; opacity: 0.75; }
path.line.dashed { stroke-dasharray: 5 4; }
.band { fill: var(--band); opacity: 0.13; }
.band-edge { stroke: var(--band); stroke-dasharray: 4 3; opacity: 0.8; }
.band-label { fill: var(--band); font-size: 11px; }
.heat-pos { fill: var(--pos); } .heat-neg { fill: var(--neg); } .heat-seq { fill: var(--seq); }
.heat-frame { fill: none; stroke: var(--faint); }
.heat-mark { fill: none; stroke: var(--band); }
.mark-key { color: var(--band); font-weight: 500; font-size: 12px; margin-left: 10px; }
.strip text { font-size: 11px; fill: var(--ink); }
.strip .muted { fill: var(--muted); }
.strip .cell-on { fill: var(--s3); opacity: 0.22; } .strip .cell-off { fill: var(--faint); opacity: 0.5; }
.strip .cell-wrong { fill: var(--s2); opacity: 0.22; } .strip .cell-reset { fill: var(--s1); opacity: 0.3; }
table { border-collapse: collapse; }
table.facts th { text-align: left; font-weight: 500; color: var(--muted); padding: 3px 18px 3px 0; vertical-align: top; }
table.facts td { padding: 3px 0; font-variant-numeric: tabular-nums; }
table.data { width: 100%; font-size: 13px; background: var(--panel); border: 1px solid var(--faint); border-radius: 10px; }
table.data th { text-align: left; color: var(--muted); font-weight: 500; padding: 8px 12px; border-bottom: 1px solid var(--faint); }
table.data td { padding: 6px 12px; border-bottom: 1px solid var(--grid); vertical-align: top; }
table.data td.num, table.data th.num { text-align: right; white-space: nowrap; }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 18px 36px; }
.words { line-height: 2; }
.words span { padding: 1px 4px; border-radius: 4px; margin-right: 2px; }
.w-sub { color: var(--sub); background: var(--sub-bg); }
.w-del { color: var(--del); background: var(--del-bg); text-decoration: line-through; }
.w-ins { color: var(--ins); background: var(--ins-bg); text-decoration: underline; }
.w-sub small { opacity: 0.8; text-decoration: line-through; margin-right: 3px; }
.count { padding: 0 7px; border-radius: 4px; font-variant-numeric: tabular-nums; }
.c-sub { color: var(--sub); background: var(--sub-bg); } .c-del { color: var(--del); background: var(--del-bg); } .c-ins { color: var(--ins); background: var(--ins-bg); }
table.data .id { width: 1%; white-space: nowrap; }
.key span { padding: 1px 6px; border-radius: 4px; margin-right: 10px; font-size: 13px; }
details summary { cursor: pointer; color: var(--accent); margin: 10px 0; }
footer { color: var(--muted); font-size: 12px; border-top: 1px solid var(--faint); padding-top: 12px; }
@media (max-width: 560px) { body { padding: 18px 12px; } .grid { grid-template-columns: 1fr; } }
`;
