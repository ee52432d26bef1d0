import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWasmKernels } from '../../src/ops/kernels/wasm/wasm-kernels.js';
import { decodeLessonData, lessonFromSearch, lessonNetwork, lessonToSearch, lessonTrainer, type Lesson } from '../../src/streams/training/lesson.js';
import { Chromium, ensureChromium } from '../support/chromium.js';
import { buildCli, repoRoot, runCli } from '../support/cli.js';
import { serveStatic } from '../support/static-server.js';

/**
 * The live page (npm run web) in headless Chromium: it trains in its Web
 * Worker with the same code as Node and gets Node's losses for the same
 * lesson; the lesson's URL replays it; the BPTT view and the gradient check
 * work. Screenshots go to artifacts/.
 */
const artifacts = join(repoRoot, 'artifacts');
let out: string;
let server: Server;
let origin: string;
let browser: Chromium;

beforeAll(async () => {
  ensureChromium();
  buildCli();
  out = mkdtempSync(join(tmpdir(), 'lstmp-web-'));
  const built = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build-web.mjs'), '--out', out, '--utterances', '60', '--quiet'], { encoding: 'utf8' });
  expect(built.stderr).toBe('');
  expect(built.status).toBe(0);
  ({ server, origin } = await serveStatic(out));
  mkdirSync(artifacts, { recursive: true });
  browser = Chromium.launch();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
  rmSync(out, { recursive: true, force: true });
});

interface Live {
  ready: boolean;
  running: boolean;
  losses: number[];
  accuracies: number[];
  framesPerSecond: number[];
  trace: string | null;
  gradientCheck: { index: number; analytic: number; numeric: number } | null;
  hypotheses: number;
  listening: boolean;
  error: string | null;
}

/** The value of `expression` in the page once it is not null, read every 100 ms for up to `timeoutMs`. */
async function poll<T>(session: string, expression: string, what: string, timeoutMs = 30_000): Promise<T> {
  const began = Date.now();
  for (;;) {
    const value = await browser.evaluate<T | null>(session, expression);
    if (value !== null) return value;
    if (Date.now() - began > timeoutMs) throw new Error(`the page never got to: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function until(session: string, test: string, what: string, timeoutMs = 120_000, on: Chromium = browser): Promise<Live> {
  const began = Date.now();
  for (;;) {
    // One read of the page's state, tested and returned together.
    const live = await on.evaluate<(Live & { met: boolean }) | null>(session, `(() => { const live = window.lstmpLive; return live ? { ...live, met: Boolean(${test}) } : null; })()`);
    if (live?.error) throw new Error(`the page says: ${live.error}`);
    if (live?.met) return live;
    if (Date.now() - began > timeoutMs) throw new Error(`the page never got to: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const lesson: Lesson = { seed: 3, cells: 24, projection: 12, layers: 1, steps: 12, streams: 2, delay: 5, learningRate: 0.002, utterance: 2, chunk: 1 };
const UPDATES = 40;

/** The same lesson trained in Node, on the same data: loss per frame of each update. */
function nodeLosses(): number[] {
  const data = decodeLessonData(readFileSync(join(out, 'lesson.msgpack')));
  if (E.isLeft(data)) throw new Error(data.left);
  const parsed = lessonFromSearch(lessonToSearch(lesson));
  if (E.isLeft(parsed)) throw new Error(parsed.left);
  const trainer = lessonTrainer(parsed.right, data.right, lessonNetwork(parsed.right, data.right, createWasmKernels()));
  return Array.from({ length: UPDATES }, () => {
    const step = trainer.next();
    return step.loss / step.frames;
  });
}

describe('the live page', () => {
  it("trains in its thread to Node's losses, and its lesson URL replays them", async () => {
    const url = `${origin}/?${lessonToSearch(lesson)}&updates=${UPDATES}`;
    const runs: number[][] = [];
    for (const scheme of ['light', 'dark']) {
      const { session, log } = await browser.open(url, { width: 1280, height: 900, dark: scheme === 'dark' });
      const live = await until(session, `live.losses.length === ${UPDATES} && !live.running && live.trace !== null`, `${UPDATES} updates and a trace`);
      runs.push(live.losses);
      expect(log.errors).toEqual([]);
      expect(log.requests.every((request) => request.startsWith(origin) || request.startsWith('data:') || request.startsWith('about:'))).toBe(true);
      writeFileSync(join(artifacts, `live${scheme === 'dark' ? '-dark' : ''}.png`), await browser.screenshot(session));
    }
    expect(runs[1]).toEqual(runs[0]);
    const node = nodeLosses();
    runs[0].forEach((loss, k) => expect(Math.abs(loss - node[k])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(node[k]))));
    // It learned something: the last ten updates' loss below the first ten's.
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(runs[0].slice(-10))).toBeLessThan(mean(runs[0].slice(0, 10)));
  });

  it('opens the chunk of the URL in the BPTT view, and checks a gradient by finite differences', async () => {
    const { session } = await browser.open(`${origin}/?${lessonToSearch(lesson)}&updates=10`, { width: 1280, height: 900 });
    const live = await until(session, 'live.losses.length === 10 && !live.running && live.trace !== null', 'a trace');
    expect(live.trace).toContain('Backward through time');
    expect(live.trace).toContain(`${lesson.steps} steps`);
    // Drawn in the page: the iframe holds the chunk's panels, its heat maps among them. The
    // iframe loads its document after the trace is set, so wait for its body.
    const drawn = await poll<{ text: string; svgs: number }>(
      session,
      `(() => { const doc = document.getElementById('trace').contentDocument; return doc && doc.body && doc.body.innerText.includes('Backward through time') ? { text: doc.body.innerText, svgs: doc.querySelectorAll('svg').length } : null; })()`,
      'the BPTT view drawn in its frame',
    );
    expect(drawn.text).toContain('Backward through time');
    expect(drawn.svgs).toBeGreaterThan(5);
    await browser.evaluate(session, `document.getElementById('bptt').scrollIntoView()`);
    await browser.evaluate(session, `document.getElementById('check-run').click()`);
    const checked = await until(session, 'live.gradientCheck !== null', 'a gradient check');
    const { analytic, numeric } = checked.gradientCheck as { analytic: number; numeric: number };
    // float32 losses and ε = 1e-2: agreement to a few percent is what rounding allows.
    expect(Math.abs(analytic - numeric) / (Math.abs(analytic) + Math.abs(numeric))).toBeLessThan(0.05);
    writeFileSync(join(artifacts, 'live-bptt.png'), await browser.screenshot(session));
  });

  it('says in words what is wrong with a lesson URL, and goes on with the defaults', async () => {
    const { session } = await browser.open(`${origin}/?cells=-4`, { width: 1280, height: 900 });
    const error = await poll<string>(session, '(window.lstmpLive && window.lstmpLive.error) || null', 'an error about the URL');
    expect(error).toMatch(/^the lesson in the URL: .*cells.*; using the defaults instead$/);
  });
});

describe('the live page’s microphone', () => {
  it('recognises what the microphone hears with a model the user loads, in partials and finals', async () => {
    // A model that knows SynthDigits' words: a short run on the page's own corpus (its words matter here, not its accuracy).
    const corpus = join(out, 'corpus');
    const model = join(out, 'mic-run');
    const trained = await runCli(['train', '--corpus', corpus, '--out', model, '--cells', '32', '--projection', '16', '--layers', '1', '--frames', '60000', '--threads', '1', '--quiet'], repoRoot, { timeoutMs: 240_000 });
    expect(trained.status).toBe(0);
    // Chromium's fake microphone plays a test utterance, over and over.
    const manifest = readFileSync(join(corpus, 'manifest.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { wav: string; split: string });
    const wav = join(corpus, manifest.find((u) => u.split === 'test')!.wav);
    const listener = Chromium.launch(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${wav}`, '--autoplay-policy=no-user-gesture-required']);
    try {
      const { session, log } = await listener.open(`${origin}/`, { width: 1280, height: 900 });
      await until(session, 'live.ready', 'the lesson loaded', 60_000, listener);
      const { root } = (await listener.send('DOM.getDocument', {}, session)) as { root: { nodeId: number } };
      const { nodeId } = (await listener.send('DOM.querySelector', { nodeId: root.nodeId, selector: '#model' }, session)) as { nodeId: number };
      await listener.send('DOM.setFileInputFiles', { nodeId, files: [join(model, 'model.msgpack')] }, session);
      await until(session, "!document.getElementById('listen-start').disabled", 'the model chosen', 30_000, listener);
      await listener.evaluate(session, `document.getElementById('listen-start').click()`);
      const heard = await until(session, 'live.hypotheses > 0 && live.listening', 'a hypothesis from the microphone', 60_000, listener);
      expect(heard.error).toBeNull();
      await listener.evaluate(session, `document.getElementById('listen-stop').click()`);
      await until(session, '!live.listening', 'the microphone stopped', 30_000, listener);
      expect(log.errors).toEqual([]);
      writeFileSync(join(artifacts, 'live-microphone.png'), await listener.screenshot(session));
    } finally {
      await listener.close();
    }
  }, 400_000);
});
