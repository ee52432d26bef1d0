import type { ChunkTrace, LayerTrace } from '../streams/training/chunk-trace.js';
import { recurrentSize } from '../ops/nn/lstmp.js';
import { escapeHtml, figureCard, formatNumber, formatPercent, htmlPage, section } from './html.js';
import { describeNetwork } from '../model/network/config.js';
import { lineChart, pixels, type Point } from './svg-chart.js';
import { heatmap } from './svg-heatmap.js';

/** Cells within this fraction of ±cellClip count as in the clip band. */
const NEAR_CLIP = 0.9;

/** Where the explained chunk came from, for the page's header. */
export interface ExplainSource {
  readonly checkpoint: string;
  readonly corpus: string;
  /** [O] state names, when known */
  readonly states?: readonly string[];
}

/**
 * The teaching view of truncated BPTT: one chunk of one utterance laid open,
 * panel by panel: its input features, targets, mask and reset flag, each
 * layer's gates, cell states (with the clip band) and outputs, the loss per
 * frame, and the gradient norms flowing back through the T steps, each with a
 * few sentences on what to look at. One self-contained page.
 *
 * @example writeAtomic('explain.html', explainPage(await traceChunk(network, utterance, { steps: 20, index: 0, delay: 5 }), source))
 */
export function explainPage(trace: ChunkTrace, source: ExplainSource): string {
  const { spec, steps: T } = trace;
  const counted = Array.from(trace.mask).filter((m) => m > 0).length;
  const correct = Array.from(trace.mask).filter((m, t) => m > 0 && trace.predicted[t] === trace.targets[t]).length;
  const totalLoss = trace.loss.reduce((sum, l) => sum + l, 0);
  const lastFrame = trace.firstFrame + trace.frames - 1;

  const cards = [
    figureCard('chunk', `${trace.chunk + 1} of ${trace.chunks}`, `steps ${trace.firstFrame}–${lastFrame} of the delayed utterance`),
    figureCard('frames with a target', `${counted} of ${T}`, trace.frames < T ? `${T - trace.frames} padding steps` : 'no padding'),
    figureCard('loss per frame', counted > 0 ? formatNumber(totalLoss / counted) : '—', `${formatNumber(totalLoss)} in all`),
    figureCard('frame accuracy', counted > 0 ? formatPercent(correct / counted, 0) : '—', `${correct} of ${counted} right`),
    figureCard('starting state', trace.reset ? 'zero' : 'carried', trace.reset ? 'the utterance starts here' : `from chunk ${trace.chunk}`),
  ];

  const layerSections = trace.layers.map((layer, k) =>
    section(`layer${k}`, `Layer ${k + 1}${trace.layers.length > 1 ? ` of ${trace.layers.length}` : ''}`, layerIntro(k), `<div class="grid">${layerPanels(trace, layer, k)}</div>`),
  );
  const contents: [string, string][] = [
    ['chunk', 'The chunk'],
    ...trace.layers.map((_, k): [string, string] => [`layer${k}`, `Layer ${k + 1}`]),
    ['loss', 'Loss'],
    ['backward', 'Backward through time'],
  ];
  const body = [
    `<div class="cards">${cards.join('')}</div>`,
    section('chunk', 'The chunk', chunkIntro(trace), `${strip(trace, source.states)}<div class="grid">${featuresPanel(trace)}</div>`),
    ...layerSections,
    section('loss', 'The loss, frame by frame', lossIntro, `<div class="grid">${lossPanels(trace)}</div>`),
    section('backward', 'Backward through time', backwardIntro(trace), `${gradientPanel(trace)}<div class="grid">${inputGradientPanel(trace)}</div>`),
  ];
  return htmlPage({
    title: `Truncated BPTT, laid open: ${trace.utterance}`,
    subtitle:
      `${escapeHtml(describeNetwork(spec))}, cell clip ±${spec.cellClip} · chunk ${trace.chunk + 1} of ${trace.chunks}, T = ${T} steps, one stream, ` +
      `label delay ${trace.delay} · <code>${escapeHtml(source.checkpoint)}</code> on <code>${escapeHtml(source.corpus)}</code>`,
    contents,
    body: body.join('\n'),
  });
}

function chunkIntro(trace: ChunkTrace): string {
  return (
    `Training cuts every utterance into chunks of T = ${trace.steps} steps and runs B of them side by side (4 streams in the paper; this view follows one). ` +
    `The targets are delayed by ${trace.delay} frames, so at step t the network names the state of frame t − ${trace.delay}, having heard ${trace.delay} frames beyond it; ` +
    'the first steps of an utterance have no target yet, and the last chunk is padded to T. Steps without a target have <em>mask 0</em>: they add no loss and no gradient. ' +
    `The <em>reset</em> flag says whether the stream starts this chunk from a zero state (a new utterance) or carries r and c over from the chunk before, ` +
    'as training does: the state flows on from chunk to chunk, the gradient does not.'
  );
}

function layerIntro(k: number): string {
  const input = k === 0 ? 'the features' : `layer ${k}'s outputs r_t`;
  return (
    `Each of the layer's memory cells reads ${input} and its own previous output r<sub>t−1</sub> through four gates. ` +
    'The <em>input gate</em> i<sub>t</sub> lets new information into the cell, the <em>forget gate</em> f<sub>t</sub> keeps (near 1) or wipes (near 0) what it holds, ' +
    'and the <em>output gate</em> o<sub>t</sub> decides how much of it to show: c<sub>t</sub> = f<sub>t</sub>c<sub>t−1</sub> + i<sub>t</sub>g<sub>t</sub>, ' +
    'm<sub>t</sub> = o<sub>t</sub> tanh(c<sub>t</sub>), and with a projection r<sub>t</sub> = W<sub>rm</sub>m<sub>t</sub>. Time runs left to right, one column per step.'
  );
}

const lossIntro =
  'The cross entropy −log p(target) of each step with a target: what SGD lowers. A confident right answer costs almost nothing; ' +
  'a confident wrong one costs a lot. The chunk\'s loss is the sum over its steps (and, in training, over its B streams).';

function backwardIntro(trace: ChunkTrace): string {
  return (
    'Backward runs the chunk from its last step to its first. Each step with a target injects its own gradient (from the loss above), ' +
    'and the recurrence carries what arrived from later steps on to earlier ones, through W<sub>r</sub> and through the cell (times f<sub>t</sub>, the constant error carousel). ' +
    'Read these curves right to left: where they fall, the gradient fades as it travels back; where they climb, it builds up. ' +
    `At step ${trace.firstFrame} it stops: truncated BPTT treats the carried state as a constant, so no gradient flows into the chunk before. ` +
    'A clipped cell passes no gradient back at all. The norms are Euclidean, over all the layer\'s units.'
  );
}

/** The targets, predictions, mask and reset flag, one column per step. */
function strip(trace: ChunkTrace, states?: readonly string[]): string {
  const T = trace.steps;
  const width = 1080;
  const left = 112;
  const cell = (width - left - 14) / T;
  const rows = ['step', 'target', 'predicted', 'p(target)', 'mask', 'start state'];
  const rowHeight = 24;
  const height = rows.length * rowHeight + 4;
  const parts: string[] = [`<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="targets, predictions, mask and reset flag">`];
  rows.forEach((label, r) => parts.push(`<text class="muted" x="0" y="${r * rowHeight + 16}">${label}</text>`));
  const name = (s: number) => (states?.[s] ? `${s}: ${states[s]}` : String(s));
  for (let t = 0; t < T; t++) {
    const x = pixels(left + t * cell);
    const mid = pixels(left + (t + 0.5) * cell);
    const counted = trace.mask[t] > 0;
    const target = trace.targets[t];
    const right = trace.predicted[t] === target;
    const box = (row: number, cls: string, tip: string) =>
      `<rect class="${cls}" x="${x + 1}" y="${row * rowHeight + 2}" width="${pixels(cell - 2)}" height="${rowHeight - 4}" rx="3"><title>${escapeHtml(tip)}</title></rect>`;
    const text = (row: number, value: string) => `<text x="${mid}" y="${row * rowHeight + 16}" text-anchor="middle">${escapeHtml(value)}</text>`;
    parts.push(text(0, String(trace.firstFrame + t)));
    parts.push(box(1, counted ? 'cell-on' : 'cell-off', target >= 0 ? `target ${name(target)}` : 'no target'), text(1, target >= 0 ? String(target) : '–'));
    parts.push(box(2, counted ? (right ? 'cell-on' : 'cell-wrong') : 'cell-off', `predicted ${name(trace.predicted[t])}`), text(2, String(trace.predicted[t])));
    const p = trace.targetProbability[t];
    parts.push(text(3, Number.isFinite(p) ? `${Math.round(100 * p)}%` : '–'));
    parts.push(box(4, counted ? 'cell-on' : 'cell-off', counted ? 'adds loss and gradient' : 'adds nothing'), text(4, counted ? '1' : '0'));
    if (t === 0) parts.push(box(5, trace.reset ? 'cell-reset' : 'cell-on', trace.reset ? 'reset: starts from zero' : 'carries r and c in'), text(5, trace.reset ? 'zero' : 'carried'));
  }
  parts.push('</svg>');
  const seen = [...new Set([...trace.targets, ...trace.predicted].filter((s) => s >= 0))].sort((a, b) => a - b);
  const key = states ? `<p class="note">States: ${seen.map((s) => `<code>${s}</code> ${escapeHtml(states[s] ?? '')}`).join(', ')}.</p>` : '';
  return `<figure class="strip wide" data-chart="targets and mask" data-points="${T}"><figcaption>Targets, predictions, mask and reset flag</figcaption>${parts.join('')}${key}<p class="note">Green: counted (mask 1) and, for predictions, right; orange: wrong; grey: mask 0. Hover a box for the state's name.</p></figure>`;
}

/** A heat map over the chunk's filterbank frames: steps across, channels up, the width of the page. */
function filterbankHeatmap(trace: ChunkTrace, title: string, values: Float32Array, scale: Parameters<typeof heatmap>[0]['scale'], note: string): string {
  return heatmap({ title, values, steps: trace.steps, units: trace.spec.inputs, scale, xLabel: 'step t', yLabel: 'filterbank channel', bottomUp: true, firstStep: trace.firstFrame, wide: true, note });
}

function featuresPanel(trace: ChunkTrace): string {
  const { steps: T, spec } = trace;
  const bound = maxAbs(trace.features.subarray(0, T * spec.inputs)) || 1;
  return filterbankHeatmap(
    trace,
    'Input features x_t',
    trace.features,
    { kind: 'diverging', bound },
    'Log mel filterbank energies, normalised to zero mean and unit variance per channel (red above the mean, blue below). ' +
      `The last ${trace.delay} frames of an utterance are repeats of its final frame, so that every label is still predicted after the delay.`,
  );
}

function layerPanels(trace: ChunkTrace, layer: LayerTrace, k: number): string {
  const { steps: T, spec } = trace;
  const C = spec.cells;
  const R = recurrentSize(spec);
  const gate = (title: string, values: Float32Array, note: string) =>
    heatmap({ title, values, steps: T, units: C, scale: { kind: 'sequential', min: 0, max: 1 }, xLabel: 'step t', yLabel: 'cell', firstStep: trace.firstFrame, note });
  const clip = spec.cellClip;
  const near = new Uint8Array(T * C);
  for (let n = 0; n < T * C; n++) near[n] = layer.clipped[n] || Math.abs(layer.cells[n]) >= NEAR_CLIP * clip ? 1 : 0;
  const nearCount = near.reduce((sum, v) => sum + v, 0);
  const biggest = maxAbs(layer.cells);
  const peak: Point[] = Array.from({ length: T }, (_, t): Point => [trace.firstFrame + t, maxAbs(layer.cells.subarray(t * C, (t + 1) * C))]);
  const outputBound = maxAbs(layer.outputs) || 1;
  return [
    gate('Input gate i_t', layer.inputGate, 'Solid colour: the cell takes in new input at this step; faint: it lets the input pass by.'),
    gate('Forget gate f_t', layer.forgetGate, 'Solid: the cell keeps its state; faint: it forgets. Long solid runs are long memories.'),
    gate('Output gate o_t', layer.outputGate, 'Solid: the cell shows its state to the layer above and to the next step; faint: it keeps it to itself.'),
    heatmap({
      title: 'Cell state c_t',
      values: layer.cells,
      steps: T,
      units: C,
      scale: { kind: 'diverging', bound: biggest || 1 },
      xLabel: 'step t',
      yLabel: 'cell',
      marks: near,
      markLabel: `within ${Math.round(100 * (1 - NEAR_CLIP))}% of the ±${clip} clip`,
      firstStep: trace.firstFrame,
      note:
        `The memory itself, unbounded but for clipping at ±${clip}. ` +
        (nearCount > 0
          ? `${nearCount} cell-steps are in the clip band (outlined): a clipped cell passes no gradient back.`
          : `No cell comes near the clip here (the largest |c| is ${formatNumber(biggest)}), so every cell passes its gradient back.`),
    }),
    lineChart({
      title: 'Largest |c_t| per step, and the clip band',
      x: stepAxis(trace),
      y: { label: 'max over cells of |c_t|', log: true },
      series: [{ name: `layer ${k + 1}`, points: peak, mark: 'both', colour: 5 }],
      bands: [{ from: NEAR_CLIP * clip, to: clip, label: `clip band (±${clip})` }],
      note: 'On a logarithmic scale, so the clip band and small states both show. Cells that grow without bound would climb into the band.',
    }),
    heatmap({
      title: `Output r_t (${spec.projection > 0 ? `projection, ${R} units` : `m_t, ${R} units`})`,
      values: layer.outputs,
      steps: T,
      units: R,
      scale: { kind: 'diverging', bound: outputBound },
      xLabel: 'step t',
      yLabel: spec.projection > 0 ? 'projection unit' : 'cell',
      firstStep: trace.firstFrame,
      note:
        k === trace.layers.length - 1
          ? 'What the softmax reads to name the state, and what this layer feeds back to itself at the next step.'
          : 'What the layer above reads, and what this layer feeds back to itself at the next step.',
    }),
  ].join('');
}

/** The x axis of a per-step chart: the chunk's steps, whatever steps have data. */
function stepAxis(trace: ChunkTrace, label = 'step t') {
  return { label, min: trace.firstFrame, max: trace.firstFrame + trace.steps - 1 };
}

function lossPanels(trace: ChunkTrace): string {
  const steps = (values: Float32Array, keep: (t: number) => boolean) =>
    Array.from(values, (v, t): Point => [trace.firstFrame + t, keep(t) ? v : NaN]);
  const counted = (t: number) => trace.mask[t] > 0;
  return (
    lineChart({
      title: 'Loss per step: −log p(target)',
      x: stepAxis(trace),
      y: { label: 'cross entropy (nats)', min: 0 },
      series: [{ name: 'loss', points: steps(trace.loss, counted), mark: 'both', colour: 2 }],
      note: 'Gaps are steps with mask 0.',
    }) +
    lineChart({
      title: 'Probability of the target state',
      x: stepAxis(trace),
      y: { label: 'p(target | x_1 … x_t)', min: 0, max: 1, format: (v) => formatPercent(v, 0) },
      series: [{ name: 'p(target)', points: steps(trace.targetProbability, counted), mark: 'both', colour: 3 }],
      note: 'The softmax output for the right state. The loss is its negative logarithm.',
    })
  );
}

function gradientPanel(trace: ChunkTrace): string {
  const points = (norms: Float32Array): Point[] => Array.from(norms, (v, t): Point => [trace.firstFrame + t, v]);
  const series = trace.layers.flatMap((layer, k) => [
    { name: `‖∂L/∂r_t‖ layer ${k + 1}`, points: points(layer.dr), mark: 'both' as const, colour: (2 * k) % 6 + 1 },
    { name: `‖∂L/∂c_t‖ layer ${k + 1}`, points: points(layer.dc), mark: 'both' as const, dashed: true, colour: (2 * k + 1) % 6 + 1 },
  ]);
  const zero = trace.layers.some((l) => l.dr.some((v) => v === 0) || l.dc.some((v) => v === 0));
  return lineChart({
    title: 'Gradient norms flowing back through the steps',
    x: stepAxis(trace, 'step t (backward runs right to left)'),
    y: { label: 'gradient norm', log: true },
    series,
    wide: true,
    height: 320,
    note: `On a logarithmic scale: equal drops are equal factors.${zero ? ' Steps where a norm is exactly 0 (nothing has reached them yet) are left out.' : ''}`,
  });
}

/** ∂L/∂x over the filterbank frames: which inputs the chunk's loss depends on, and how far back from each target it reaches. */
function inputGradientPanel(trace: ChunkTrace): string {
  const magnitude = Float32Array.from(trace.inputGradient, Math.abs);
  return filterbankHeatmap(
    trace,
    'How much the loss depends on each input: |∂L/∂x_t|',
    magnitude,
    { kind: 'sequential', min: 0, max: maxAbs(magnitude) || 1 },
    'The gradient that reaches the input features, frame by frame and channel by channel (darker: the loss moves more with that input). ' +
      'Nothing flows in from after the chunk, so the last steps only feel the targets near them; and nothing flows back past the first step, where truncation cuts it.',
  );
}

function maxAbs(values: Float32Array): number {
  let most = 0;
  for (const v of values) if (Math.abs(v) > most) most = Math.abs(v);
  return most;
}
