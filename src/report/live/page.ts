/**
 * The live page: a small LSTMP learning SynthDigits in a Web Worker, its
 * loss and accuracy drawn as it learns; one chunk of truncated BPTT laid open
 * (gates, cells and the clip band, the gradient flowing back through the T
 * steps, where it is cut); a finite-difference check of one weight; and the
 * microphone recognised by a trained model, with the streaming stage. The
 * lesson (network, seed, T, utterance, chunk) lives in the URL, so a link
 * replays it exactly.
 */
import * as E from 'fp-ts/lib/Either.js';
import { DEFAULT_LESSON, lessonFromSearch, lessonToSearch, type Lesson } from '../../streams/training/lesson.js';
import { escapeHtml, formatNumber, formatPercent, STYLE } from '../html.js';
import { lineChart, type Point } from '../svg-chart.js';
import type { PageMessage, ThreadMessage } from './protocol.js';

/** What the page has seen, for people and for tests (window.lstmpLive). */
interface LiveState {
  ready: boolean;
  running: boolean;
  /** loss per frame and frame accuracy of every update so far */
  losses: number[];
  accuracies: number[];
  framesPerSecond: number[];
  /** frames trained and the thread's time spent training them */
  frames: number;
  trainingMs: number;
  trace: string | null;
  gradientCheck: { index: number; analytic: number; numeric: number } | null;
  finals: string[];
  /** hypotheses heard from the microphone, and whether it is on */
  hypotheses: number;
  listening: boolean;
  error: string | null;
}

const state: LiveState = { ready: false, running: false, losses: [], accuracies: [], framesPerSecond: [], frames: 0, trainingMs: 0, trace: null, gradientCheck: null, finals: [], hypotheses: 0, listening: false, error: null };
(window as unknown as { lstmpLive: LiveState }).lstmpLive = state;

const params = new URLSearchParams(location.search);
const parsed = lessonFromSearch(location.search);
let lesson: Lesson = E.isRight(parsed) ? parsed.right : DEFAULT_LESSON;
/** `?updates=N` trains N updates as soon as the page opens, then opens the chunk (a lesson that plays itself). */
const autoUpdates = Number(params.get('updates') ?? 0);

const thread = new Worker(new URL('./lesson-thread.js', import.meta.url), { type: 'module' });
const send = (message: PageMessage, transfer: Transferable[] = []) => thread.postMessage(message, transfer);
let dataBytes: ArrayBuffer | null = null;
let utterances: readonly { id: string; frames: number }[] = [];

const FIELDS: readonly { key: keyof Lesson; label: string; min: number; max: number; step: number; note: string }[] = [
  { key: 'seed', label: 'seed', min: 0, max: 1_000_000, step: 1, note: 'initial weights and the order of utterances' },
  { key: 'cells', label: 'cells', min: 1, max: 512, step: 1, note: 'memory cells per layer' },
  { key: 'projection', label: 'projection', min: 0, max: 512, step: 1, note: 'recurrent projection units (0: a plain LSTM)' },
  { key: 'layers', label: 'layers', min: 1, max: 4, step: 1, note: '' },
  { key: 'streams', label: 'streams B', min: 1, max: 16, step: 1, note: 'utterances side by side in a chunk' },
  { key: 'delay', label: 'label delay', min: 0, max: 20, step: 1, note: 'frames the target waits' },
  { key: 'learningRate', label: 'learning rate', min: 0.0001, max: 1, step: 0.0001, note: 'SGD with momentum 0.5' },
];

document.head.insertAdjacentHTML('beforeend', `<style>${STYLE}
.controls { display: grid; grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr)); gap: .6rem 1rem; }
.controls label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
.controls input, .controls select { font: inherit; color: var(--ink); background: var(--panel); border: 1px solid var(--faint); border-radius: 4px; padding: .2rem .4rem; }
.bar { display: flex; gap: .6rem; align-items: center; flex-wrap: wrap; margin: .8rem 0; }
button { font: inherit; padding: .35rem .9rem; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: white; cursor: pointer; }
button.quiet { background: transparent; color: var(--accent); }
button:disabled { opacity: .5; cursor: default; }
iframe { width: 100%; height: 80rem; border: 1px solid var(--faint); border-radius: 6px; background: var(--panel); }
.slider { display: flex; align-items: center; gap: .8rem; }
.slider input { flex: 1; }
.heard { font-size: 1.4rem; min-height: 2rem; }
.heard .partial { color: var(--muted); }
.error { color: #b00020; }
</style>`);

document.body.innerHTML = `
<header><h1>Truncated BPTT, live</h1><p class="subtitle">A small LSTMP learns SynthDigits’ HMM states in this page, on the same code as lstmp in Node (WebAssembly kernels, in a Web Worker). Every setting is in the URL: copy it and the lesson replays exactly.</p>
<nav><a href="#train">Train</a><a href="#bptt">BPTT, one chunk</a><a href="#check">Gradient check</a><a href="#listen">Microphone</a></nav></header>
<main>
<p class="error" id="error" hidden></p>
<section id="train"><h2>Train</h2>
<div class="controls">${FIELDS.map((f) => `<label>${f.label}<input id="f-${f.key}" type="number" min="${f.min}" max="${f.max}" step="${f.step}" title="${escapeHtml(f.note)}"></label>`).join('')}</div>
<div class="bar"><button id="run">Train 200 updates</button><button id="pause" class="quiet">Pause</button><button id="reset" class="quiet">Start again</button><span id="status">loading the lesson data…</span></div>
<div class="cards" id="cards"></div>
<div class="grid"><div id="loss-chart"></div><div id="accuracy-chart"></div></div>
</section>
<section id="bptt"><h2>BPTT, one chunk</h2>
<p>Pick an utterance and a chunk; T is how many steps the gradient flows back before it is cut (the chunk’s length). The state comes in from the chunks before; the gradient does not go back into them.</p>
<div class="controls"><label>utterance<select id="utterance"></select></label><label>chunk<input id="chunk" type="number" min="0" step="1"></label></div>
<div class="slider"><span>T</span><input id="steps" type="range" min="1" max="100" step="1"><output id="steps-value"></output></div>
<iframe id="trace" title="one chunk of truncated BPTT" sandbox="allow-same-origin"></iframe>
</section>
<section id="check"><h2>Gradient check</h2>
<p>BPTT’s derivative of the chunk’s loss for one weight (the largest of 64 drawn), against the loss moved by ±ε: they agree to rounding.</p>
<div class="bar"><button id="check-run" class="quiet">Check one weight</button><span id="check-result"></span></div>
</section>
<section id="listen"><h2>Microphone</h2>
<p>Load a model lstmp trained (<code>runs/demo/model.msgpack</code>) and speak digits: the streaming stage recognises them as you speak.</p>
<div class="bar"><input id="model" type="file" accept=".msgpack"><button id="listen-start" disabled>Listen</button><button id="listen-stop" class="quiet" disabled>Stop</button></div>
<p class="heard" id="heard"></p>
</section>
</main>`;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function showError(message: string): void {
  state.error = message;
  const el = $('error');
  el.textContent = message;
  el.hidden = false;
}
if (E.isLeft(parsed)) showError(`${parsed.left}; using the defaults instead`);

function fillControls(): void {
  for (const f of FIELDS) ($(`f-${f.key}`) as HTMLInputElement).value = String(lesson[f.key]);
  ($('steps') as HTMLInputElement).value = String(lesson.steps);
  $('steps-value').textContent = String(lesson.steps);
  ($('chunk') as HTMLInputElement).value = String(lesson.chunk);
}

/** The lesson as the controls say, in the URL; a new network when anything but the view changed. */
function readControls(): void {
  const next: Record<string, number> = { ...lesson };
  for (const f of FIELDS) next[f.key] = Number(($(`f-${f.key}`) as HTMLInputElement).value);
  next.steps = Number(($('steps') as HTMLInputElement).value);
  next.utterance = Number(($('utterance') as HTMLSelectElement).value || 0);
  next.chunk = Number(($('chunk') as HTMLInputElement).value);
  const decoded = lessonFromSearch(new URLSearchParams(Object.entries(next).map(([k, v]): [string, string] => [k, String(v)])).toString());
  if (E.isLeft(decoded)) {
    showError(decoded.left);
    return;
  }
  const retrain = (Object.keys(lesson) as (keyof Lesson)[]).some((k) => k !== 'utterance' && k !== 'chunk' && lesson[k] !== decoded.right[k]);
  lesson = decoded.right;
  history.replaceState(null, '', `?${lessonToSearch(lesson)}`);
  if (retrain) load();
  else requestTrace();
}

function load(): void {
  if (dataBytes === null) return;
  Object.assign(state, { ready: false, running: false, losses: [], accuracies: [], framesPerSecond: [], frames: 0, trainingMs: 0, trace: null, gradientCheck: null });
  draw();
  send({ type: 'load', lesson, data: dataBytes.slice(0) });
}

function requestTrace(): void {
  if (!state.ready) return;
  const frames = utterances[lesson.utterance]?.frames ?? 0;
  const chunks = Math.max(1, Math.ceil((frames + lesson.delay) / lesson.steps));
  const chunkInput = $('chunk') as HTMLInputElement;
  chunkInput.max = String(chunks - 1);
  const chunk = Math.min(lesson.chunk, chunks - 1);
  send({ type: 'trace', utterance: lesson.utterance, chunk, steps: lesson.steps });
}

function card(label: string, value: string, note = ''): string {
  return `<div class="card"><div class="label">${escapeHtml(label)}</div><div class="value">${escapeHtml(value)}</div><div class="note">${escapeHtml(note)}</div></div>`;
}

/** Points thinned to ~400 per series: the chart stays light however long the run. */
function series(values: readonly number[]): Point[] {
  const every = Math.max(1, Math.ceil(values.length / 400));
  const points: Point[] = [];
  for (let i = 0; i < values.length; i += every) points.push([i + 1, values[i]]);
  return points;
}

function smooth(values: readonly number[], window = 20): number[] {
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i] - (i >= window ? values[i - window] : 0);
    out.push(sum / Math.min(i + 1, window));
  }
  return out;
}

function draw(): void {
  const n = state.losses.length;
  $('cards').innerHTML = [
    card('updates', String(n), `${lesson.streams} × ${lesson.steps} frames each`),
    card('loss per frame', n ? formatNumber(smooth(state.losses).at(-1) as number) : '—', 'the last 20 updates'),
    card('frame accuracy', n ? formatPercent(smooth(state.accuracies).at(-1) as number, 1) : '—', 'the last 20 updates'),
    card('frames / s', state.trainingMs > 0 ? String(Math.round(state.frames / (state.trainingMs / 1000))) : '—', 'in this tab, one thread'),
  ].join('');
  const chart = (values: number[], label: string, format?: (v: number) => string) =>
    lineChart({
      title: label,
      x: { label: 'update' },
      y: { label, format },
      series: [
        { name: 'each update', points: series(values), mark: 'dots', thin: true },
        { name: 'mean of 20', points: series(smooth(values)) },
      ],
    });
  $('loss-chart').innerHTML = n ? chart(state.losses, 'cross entropy per frame') : '';
  $('accuracy-chart').innerHTML = n ? chart(state.accuracies, 'frame accuracy', (v) => formatPercent(v, 0)) : '';
  $('status').textContent = !state.ready ? 'preparing…' : state.running ? 'training…' : `${n} updates`;
  ($('run') as HTMLButtonElement).disabled = !state.ready || state.running;
}

thread.onmessage = (event: MessageEvent<ThreadMessage>) => {
  const message = event.data;
  switch (message.type) {
    case 'ready': {
      utterances = message.utterances;
      $('utterance').innerHTML = utterances.map((u, i) => `<option value="${i}"${i === lesson.utterance ? ' selected' : ''}>${escapeHtml(u.id)} (${u.frames} frames)</option>`).join('');
      state.ready = true;
      draw();
      requestTrace();
      if (autoUpdates > 0) run(autoUpdates);
      return;
    }
    case 'steps':
      state.trainingMs += message.ms;
      for (const step of message.steps) {
        state.frames += step.frames;
        state.losses.push(step.frames > 0 ? step.loss / step.frames : NaN);
        state.accuracies.push(step.frames > 0 ? step.correct / step.frames : NaN);
      }
      state.framesPerSecond.push(message.framesPerSecond);
      draw();
      return;
    case 'paused':
      state.running = false;
      draw();
      requestTrace();
      return;
    case 'trace':
      state.trace = message.html;
      ($('trace') as HTMLIFrameElement).srcdoc = message.html;
      return;
    case 'gradient-check': {
      state.gradientCheck = { index: message.index, analytic: message.analytic, numeric: message.numeric };
      const relative = Math.abs(message.analytic - message.numeric) / Math.max(1e-12, Math.abs(message.analytic) + Math.abs(message.numeric));
      $('check-result').textContent = `parameter ${message.index}: BPTT ${message.analytic.toPrecision(6)}, (L(w+ε) − L(w−ε))/2ε ${message.numeric.toPrecision(6)} with ε = ${message.epsilon}; relative difference ${relative.toExponential(1)}`;
      return;
    }
    case 'listening':
      state.listening = true;
      $('heard').innerHTML = '<span class="partial">listening…</span>';
      return;
    case 'hypothesis': {
      const h = message.hypothesis;
      state.hypotheses++;
      if (h.type === 'final') state.finals.push(h.words.join(' '));
      $('heard').innerHTML = `${escapeHtml(state.finals.join(' · '))} <span class="partial">${h.type === 'partial' ? escapeHtml(h.words.join(' ')) : ''}</span>`;
      return;
    }
    case 'error':
      showError(message.message);
      return;
  }
};

function run(updates: number): void {
  state.running = true;
  draw();
  send({ type: 'run', updates });
}

$('run').addEventListener('click', () => run(200));
$('pause').addEventListener('click', () => send({ type: 'pause' }));
$('reset').addEventListener('click', () => load());
for (const f of FIELDS) $(`f-${f.key}`).addEventListener('change', readControls);
$('utterance').addEventListener('change', readControls);
$('chunk').addEventListener('change', readControls);
$('steps').addEventListener('input', () => ($('steps-value').textContent = ($('steps') as HTMLInputElement).value));
$('steps').addEventListener('change', readControls);
$('check-run').addEventListener('click', () => send({ type: 'gradient-check', utterance: lesson.utterance, chunk: lesson.chunk, steps: lesson.steps, seed: lesson.seed }));

// The microphone: a trained model, the browser's audio in blocks, the streaming stage in the thread.
let audio: { context: AudioContext; stream: MediaStream; node: ScriptProcessorNode } | null = null;
let modelBytes: ArrayBuffer | null = null;
$('model').addEventListener('change', async () => {
  const file = ($('model') as HTMLInputElement).files?.[0];
  modelBytes = file ? await file.arrayBuffer() : null;
  ($('listen-start') as HTMLButtonElement).disabled = modelBytes === null;
});
$('listen-start').addEventListener('click', async () => {
  if (modelBytes === null || audio !== null) return;
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false } });
    const context = new AudioContext();
    const source = context.createMediaStreamSource(stream);
    const node = context.createScriptProcessor(4096, 1, 1);
    node.onaudioprocess = (event) => {
      const samples = event.inputBuffer.getChannelData(0).slice();
      send({ type: 'audio', samples: samples.buffer }, [samples.buffer]);
    };
    source.connect(node);
    node.connect(context.destination);
    audio = { context, stream, node };
    state.finals = [];
    send({ type: 'model', bytes: modelBytes.slice(0), sampleRate: context.sampleRate });
    ($('listen-stop') as HTMLButtonElement).disabled = false;
  } catch (error) {
    showError(`the microphone: ${(error as Error).message}`);
  }
});
$('listen-stop').addEventListener('click', async () => {
  if (audio === null) return;
  audio.node.disconnect();
  audio.stream.getTracks().forEach((track) => track.stop());
  await audio.context.close();
  audio = null;
  state.listening = false;
  send({ type: 'audio-end' });
  ($('listen-stop') as HTMLButtonElement).disabled = true;
});

fillControls();
draw();
fetch(new URL('./lesson.msgpack', location.href))
  .then((response) => {
    if (!response.ok) throw new Error(`lesson.msgpack: ${response.status} ${response.statusText}`);
    return response.arrayBuffer();
  })
  .then((bytes) => {
    dataBytes = bytes;
    load();
  })
  .catch((error: Error) => showError(error.message));
