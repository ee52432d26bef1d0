import type { RecognitionLine } from '../model/formats/recognition-line.js';
import { errorCountsOf } from '../model/formats/recognition-line.js';
import { layoutOf, parameterCounts } from '../model/network/layout.js';
import type { EvaluationLine, ProgressLine, SkippedLine } from '../model/formats/metrics-line.js';
import { describeNetwork } from '../model/network/config.js';
import { addErrorCounts, errorsOf, NO_ERRORS, sentenceErrorRate, wordErrorRate, type ErrorCounts } from '../ops/search/edit-distance.js';
import type { RunRecord } from '../streams/io/run-dir.js';
import { definitionTable, escapeHtml, figureCard, formatCount, formatInteger, formatNumber, formatPercent, formatSeconds, htmlPage, section } from './html.js';
import { lineChart, thinPoints, type Point } from './svg-chart.js';
import { median } from '../ops/median.js';

/** Points drawn per progress series at most: more would not show and would bloat the file. */
const MAX_POINTS = 400;
/** RecognizedUtterance utterances listed at most, errors first. */
const MAX_UTTERANCES = 300;

/**
 * The HTML report of a training run: headline figures, frame accuracy against
 * frames seen and against wall time (as the paper's Figure 3), loss, learning
 * rate and throughput, the network and its parameter counts, and, once the
 * test set has been decoded, the word error rate with every utterance's
 * errors marked. One self-contained page.
 *
 * @example writeAtomic('report.html', reportPage(readRun('runs/demo')))
 */
export function reportPage(run: RunRecord): string {
  const progress = run.metrics.filter((m): m is ProgressLine => m.type === 'progress');
  const evaluations = run.metrics.filter((m): m is EvaluationLine => m.type === 'evaluation');
  const skipped = run.metrics.filter((m): m is SkippedLine => m.type === 'skipped');
  const timeline = [...progress, ...evaluations].sort((a, b) => a.seconds - b.seconds);
  const last = timeline.at(-1);
  const decodeCounts = run.decode ? run.decode.map(errorCountsOf).reduce(addErrorCounts, NO_ERRORS) : null;

  const frames = last?.framesSeen ?? run.summary?.frames;
  const seconds = last?.seconds ?? run.summary?.trainSeconds;
  const rates = progress.map((p) => p.framesPerSecond).filter((r) => Number.isFinite(r) && r > 0);
  const counts = run.config ? parameterCounts(run.config) : null;
  const testWer = decodeCounts ? wordErrorRate(decodeCounts) : run.summary?.testWer ?? null;

  // The run keeps its best evaluation's model (model.msgpack): its dev accuracy is the one that counts.
  const kept = evaluations.reduce<EvaluationLine | undefined>((best, e) => (best === undefined || e.devFrameAccuracy >= best.devFrameAccuracy ? e : best), undefined);
  const robustness = Object.entries(run.summary?.robustness ?? {});
  const cards = [
    figureCard('dev frame accuracy', kept ? formatPercent(kept.devFrameAccuracy) : '—', kept ? `the kept model, at ${formatCount(kept.framesSeen)} frames` : 'no evaluation yet'),
    figureCard('test word error rate', testWer === null ? '—' : formatPercent(testWer), decodeCounts ? `${formatInteger(decodeCounts.words)} words` : 'not decoded yet'),
    ...robustness.map(([condition, wer]) => figureCard(`test WER, ${CONDITION_NAMES[condition] ?? condition}`, formatPercent(wer), 'a condition training did not choose')),
    figureCard('frames trained on', frames === undefined ? '—' : formatCount(frames), last ? `epoch ${last.epoch}` : ''),
    figureCard('training time', seconds === undefined ? '—' : formatSeconds(seconds), run.summary?.threads ? `${run.summary.threads} thread${run.summary.threads === 1 ? '' : 's'}` : ''),
    figureCard('throughput', rates.length ? `${formatCount(median(rates))}/s` : '—', 'frames per second (median)'),
    figureCard('parameters', counts ? formatCount(counts.total) : '—', counts ? `${formatCount(counts.paper)} by the paper's count` : ''),
  ];

  const sections = [
    section('accuracy', 'Frame accuracy', accuracyIntro, `<div class="grid">${accuracyCharts(progress, evaluations)}</div>`),
    section('training', 'Loss, learning rate and throughput', trainingIntro, `<div class="grid">${trainingCharts(progress, evaluations)}</div>`),
    section('model', 'The network', modelIntro, run.config ? modelFacts(run) : '<p>No model.msgpack or summary.json in this run directory: the configuration is unknown.</p>'),
  ];
  if (run.decode && decodeCounts) sections.push(section('decoding', 'Decoding the test set', decodeIntro, decodeResults(run.decode, decodeCounts)));
  if (robustness.length > 0) sections.push(section('robustness', 'Conditions training did not see', robustnessIntro, robustnessTable(testWer, robustness)));
  if (skipped.length > 0) sections.push(section('skipped', 'Utterances left out', 'Training skipped these utterances (a broken WAV, an alignment that does not fit the audio).', skippedList(skipped)));

  const contents: [string, string][] = [['accuracy', 'Frame accuracy'], ['training', 'Loss, rate, throughput'], ['model', 'Network']];
  if (run.decode) contents.push(['decoding', 'Decoding']);
  if (robustness.length > 0) contents.push(['robustness', 'Robustness']);
  if (skipped.length > 0) contents.push(['skipped', 'Skipped']);
  return htmlPage({
    title: 'lstmp training run',
    subtitle: `<code>${escapeHtml(run.dir)}</code>${run.config ? ` · ${escapeHtml(describeNetwork(run.config))}` : ''}`,
    contents,
    body: `<div class="cards">${cards.join('')}</div>\n${sections.join('\n')}`,
  });
}

const accuracyIntro =
  'The share of frames whose most probable HMM state is the aligned one. <em>Train</em> is measured on the chunks just trained on, before each update; ' +
  '<em>dev</em> on held-out utterances at each evaluation (which also saves model.msgpack). As in Figure 3 of Sak, Senior &amp; Beaufays (2014), ' +
  'against the number of training frames and against wall time: more threads trade a little accuracy per frame for many more frames per second.';

const trainingIntro =
  'Cross entropy per frame (what SGD minimises), the learning rate per frame as the schedule decays it with the frames seen, ' +
  'and the training throughput of all threads together.';

const modelIntro =
  'The network as configured and its parameter tensors. The paper counts weights without biases; the total is the size of the parameter buffer that every thread shares.';

/** What each robustness condition is called in the report. */
const CONDITION_NAMES: Readonly<Record<string, string>> = {
  telephone: 'telephone',
  noisy10dB: 'noise at 10 dB',
  noisy0dB: 'noise at 0 dB',
  reverb: 'a reverberant room',
};

const robustnessIntro =
  'The same held-out test speakers, heard through conditions the run did not choose: a telephone line (8 kHz, 300–3400 Hz, μ-law), ' +
  'pink noise at a fixed signal-to-noise ratio, a room with an RT60 of 0.5 s. Each utterance\'s noise and room are seeded from its id alone, so every model hears the same test audio.';

function robustnessTable(clean: number | null, conditions: readonly [string, number][]): string {
  const rows = [['clean', clean] as const, ...conditions]
    .map(([condition, wer]) => `<tr><td>${escapeHtml(CONDITION_NAMES[condition] ?? condition)}</td><td class="num">${wer === null ? '—' : formatPercent(wer)}</td></tr>`)
    .join('');
  return `<table class="data"><thead><tr><th>condition</th><th>test word error rate</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const decodeIntro =
  'Each test utterance decoded with the hybrid HMM decoder and aligned against its reference transcript. ' +
  'The word error rate is (substitutions + deletions + insertions) / reference words.';

function accuracyCharts(progress: readonly ProgressLine[], evaluations: readonly EvaluationLine[]): string {
  const time = timeAxis([...progress, ...evaluations].map((m) => m.seconds));
  const percent = (v: number) => formatPercent(v, 0);
  const series = (x: (m: ProgressLine | EvaluationLine) => number) => [
    { name: 'train (recent chunks)', points: thinPoints(progress.map((p): Point => [x(p), p.trainFrameAccuracy]), MAX_POINTS), thin: true, colour: 1 },
    { name: 'train (since last evaluation)', points: evaluations.filter((e) => e.trainLoss !== null).map((e): Point => [x(e), e.trainFrameAccuracy]), mark: 'dots' as const, colour: 1 },
    { name: 'dev', points: evaluations.map((e): Point => [x(e), e.devFrameAccuracy]), mark: 'both' as const, colour: 2 },
  ];
  return (
    lineChart({
      title: 'Frame accuracy against frames seen',
      x: { label: 'training frames seen (all threads)', format: formatCount, min: 0 },
      y: { label: 'frame accuracy', format: percent },
      series: series((m) => m.framesSeen),
    }) +
    lineChart({
      title: 'Frame accuracy against wall time',
      x: { label: time.label, format: (v) => formatNumber(v), min: 0 },
      y: { label: 'frame accuracy', format: percent },
      series: series((m) => m.seconds / time.unit),
    })
  );
}

function trainingCharts(progress: readonly ProgressLine[], evaluations: readonly EvaluationLine[]): string {
  const time = timeAxis(progress.map((m) => m.seconds));
  const perFrame = (v: number | null) => (v === null ? NaN : v);
  return (
    lineChart({
      title: 'Loss per frame',
      x: { label: 'training frames seen', format: formatCount, min: 0 },
      y: { label: 'cross entropy (nats per frame)' },
      series: [
        { name: 'train (recent chunks)', points: thinPoints(progress.map((p): Point => [p.framesSeen, perFrame(p.trainLoss)]), MAX_POINTS), thin: true, colour: 1 },
        { name: 'dev', points: evaluations.map((e): Point => [e.framesSeen, perFrame(e.devLoss)]), mark: 'both', colour: 2 },
      ],
    }) +
    lineChart({
      title: 'Learning rate',
      x: { label: 'training frames seen', format: formatCount, min: 0 },
      y: { label: 'learning rate per frame', min: 0 },
      series: [{ name: 'learning rate', points: thinPoints(progress.map((p): Point => [p.framesSeen, p.learningRate]), MAX_POINTS), colour: 3 }],
      note: 'The rate decays exponentially with the frames seen by all threads together (one shared frame clock).',
    }) +
    lineChart({
      title: 'Throughput',
      x: { label: time.label, format: (v) => formatNumber(v), min: 0 },
      y: { label: 'frames per second', format: formatCount, min: 0 },
      series: [{ name: 'frames/s, all threads', points: thinPoints(progress.map((p): Point => [p.seconds / time.unit, p.framesPerSecond]), MAX_POINTS), colour: 4 }],
      note: 'Dips are the dev evaluations, which share the cores with training.',
    })
  );
}

/** Seconds, minutes or hours, whichever suits the run's length. */
function timeAxis(seconds: readonly number[]): { label: string; unit: number } {
  const longest = Math.max(0, ...seconds);
  if (longest > 7200) return { label: 'wall time (hours)', unit: 3600 };
  if (longest > 180) return { label: 'wall time (minutes)', unit: 60 };
  return { label: 'wall time (seconds)', unit: 1 };
}

function modelFacts(run: RunRecord): string {
  const config = run.config!;
  const counts = parameterCounts(config);
  const ck = run.checkpoint;
  const facts: [string, string][] = [
    ['network', escapeHtml(describeNetwork(config))],
    ['inputs', `${config.inputs} filterbank features per frame`],
    ['outputs', `${config.outputs} HMM states (softmax)`],
    ['cell clipping', `±${config.cellClip}`],
    ['peepholes', config.peepholes ? 'yes' : 'no'],
    ['parameters (paper)', formatInteger(counts.paper)],
    ['parameters (total)', formatInteger(counts.total)],
  ];
  if (ck?.delay !== undefined) facts.push(['output delay', `${ck.delay} frames`]);
  if (ck?.training) facts.push(['updates', formatInteger(ck.training.updates)], ['epochs completed', String(ck.training.epoch)]);
  if (ck) facts.push(['feature normalisation', ck.cmvn ? `corpus CMVN over ${formatInteger(ck.cmvn.count)} frames` : 'per utterance']);
  const rows = layoutOf(config).tensors.map(
    (slot) => `<tr><td class="mono">${escapeHtml(slot.name)}</td><td class="num">[${slot.shape.join(' × ')}]</td><td class="num">${formatInteger(slot.size)}</td></tr>`,
  );
  const tensors = `<table class="data"><thead><tr><th>tensor</th><th class="num">shape</th><th class="num">values</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
  return `<div class="columns"><div>${definitionTable(facts)}</div><div>${tensors}</div></div>`;
}

function decodeResults(utterances: readonly RecognitionLine[], totals: ErrorCounts): string {
  const summary = definitionTable([
    ['word error rate', `<strong>${formatPercent(wordErrorRate(totals))}</strong>`],
    ['sentence error rate', `${formatPercent(sentenceErrorRate(totals))} (${totals.sentenceErrors} of ${totals.sentences} utterances)`],
    ['reference words', formatInteger(totals.words)],
    ['substitutions', `<span class="count c-sub">${formatInteger(totals.substitutions)}</span>`],
    ['deletions', `<span class="count c-del">${formatInteger(totals.deletions)}</span>`],
    ['insertions', `<span class="count c-ins">${formatInteger(totals.insertions)}</span>`],
  ]);
  const key = '<p class="key"><span class="w-sub"><small>ref</small>hyp</span>substitution <span class="w-del">ref</span>deletion <span class="w-ins">hyp</span>insertion</p>';
  const scored = utterances.map((u) => ({ u, errors: errorsOf(errorCountsOf(u)) }));
  const wrong = scored.filter((s) => s.errors > 0).sort((a, b) => b.errors - a.errors);
  const right = scored.filter((s) => s.errors === 0);
  const table = (rows: typeof scored) =>
    `<table class="data"><thead><tr><th class="id">utterance</th><th class="num">errors</th><th>reference aligned with hypothesis</th></tr></thead><tbody>${rows
      .map(({ u, errors }) => `<tr><td class="mono id">${escapeHtml(u.id)}</td><td class="num">${errors}</td><td class="words">${alignedWords(u)}</td></tr>`)
      .join('')}</tbody></table>`;
  const shownWrong = wrong.slice(0, MAX_UTTERANCES);
  const more = wrong.length > shownWrong.length ? `<p class="intro">…and ${wrong.length - shownWrong.length} more utterances with errors.</p>` : '';
  const shownRight = right.slice(0, MAX_UTTERANCES);
  const correct =
    right.length > 0
      ? `<details><summary>${right.length} utterance${right.length === 1 ? '' : 's'} without errors${right.length > shownRight.length ? ` (first ${shownRight.length} listed)` : ''}</summary>${table(shownRight)}</details>`
      : '';
  const errorsTable = wrong.length > 0 ? `<h3>Utterances with errors, most first</h3>${key}${table(shownWrong)}${more}` : '<p>Every utterance was recognised without error.</p>';
  return `${summary}${errorsTable}${correct}`;
}

/** The reference's words in order, with each error marked where it happened. */
function alignedWords(utterance: RecognitionLine): string {
  return utterance.edits
    .map((edit) => {
      const ref = escapeHtml(edit.ref ?? '');
      const hyp = escapeHtml(edit.hyp ?? '');
      switch (edit.op) {
        case 'ok':
          return `<span>${ref}</span>`;
        case 'sub':
          return `<span class="w-sub" title="substitution: ${ref} → ${hyp}"><small>${ref}</small>${hyp}</span>`;
        case 'del':
          return `<span class="w-del" title="deletion: ${ref}">${ref}</span>`;
        case 'ins':
          return `<span class="w-ins" title="insertion: ${hyp}">${hyp}</span>`;
      }
    })
    .join(' ');
}

function skippedList(skipped: readonly SkippedLine[]): string {
  const shown = skipped.slice(0, 50);
  const rows = shown.map((s) => `<tr><td class="mono">${escapeHtml(s.id)}</td><td>${escapeHtml(s.reason)}</td></tr>`).join('');
  const more = skipped.length > shown.length ? `<p class="intro">…and ${skipped.length - shown.length} more (metrics.jsonl lists them all).</p>` : '';
  return `<table class="data"><thead><tr><th>utterance</th><th>why</th></tr></thead><tbody>${rows}</tbody></table>${more}`;
}
