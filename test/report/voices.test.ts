import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Chromium, ensureChromium } from '../support/chromium.js';
import { buildCli, repoRoot, runCli } from '../support/cli.js';

/**
 * `lstmp voices` of a small generated corpus, opened in headless Chromium:
 * every speaker has a clip that plays, the scatter plots are drawn, nothing
 * is fetched, nothing spills sideways; the screenshot is kept in artifacts/.
 */
const artifacts = join(repoRoot, 'artifacts');
let dir: string;
let page: string;
let browser: Chromium;
let speakers: { id: string; split: string; synthesizer: string }[];

beforeAll(async () => {
  ensureChromium();
  buildCli();
  dir = mkdtempSync(join(tmpdir(), 'lstmp-voices-'));
  const corpus = join(dir, 'corpus');
  const synth = await runCli(['synth', '--out', corpus, '--utterances', '60', '--speakers', '10', '--quiet']);
  expect(synth.stderr).toBe('');
  page = join(dir, 'voices.html');
  const voices = await runCli(['voices', '--corpus', corpus, '--out', page]);
  expect(voices.stderr).toBe('');
  expect(voices.status).toBe(0);
  speakers = readFileSync(join(corpus, 'speakers.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  mkdirSync(artifacts, { recursive: true });
  browser = Chromium.launch();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the voices page in a browser', () => {
  it('plays a clip of every speaker who spoke, draws where the speakers lie, fetches nothing', async () => {
    const { session, log } = await browser.open(pathToFileURL(page).href, { width: 1280, height: 900 });
    // every clip is embedded WAV audio the browser can decode and play (its duration known once loaded)
    const clips = await browser.evaluate<{ id: string; duration: number; src: string }[]>(
      session,
      `Promise.all([...document.querySelectorAll('audio')].map((audio) => new Promise((resolve) => {
        const done = () => resolve({ id: audio.closest('[data-speaker]')?.dataset.speaker ?? '', duration: audio.duration, src: audio.currentSrc.slice(0, 22) });
        if (audio.readyState >= 1) done(); else { audio.addEventListener('loadedmetadata', done); audio.addEventListener('error', done); audio.load(); }
      })))`,
    );
    const spoke = new Set(readFileSync(join(dir, 'corpus', 'manifest.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line).speaker as string));
    expect(clips.map((c) => c.id).sort()).toEqual(speakers.map((s) => s.id).filter((id) => spoke.has(id)).sort());
    for (const clip of clips) {
      expect(clip.src, clip.id).toBe('data:audio/wav;base64,');
      expect(clip.duration, clip.id).toBeGreaterThan(0.1);
      expect(clip.duration, clip.id).toBeLessThan(2);
    }
    // the scatter plots: both synthesizers, training and test speakers as dots
    const charts = await browser.evaluate<{ title: string; dots: number }[]>(
      session,
      `[...document.querySelectorAll('figure[data-chart]')].map((figure) => ({ title: figure.dataset.chart, dots: [...figure.querySelectorAll('circle')].filter((c) => c.getBoundingClientRect().width > 0).length }))`,
    );
    expect(charts.map((c) => c.title)).toEqual(expect.arrayContaining([expect.stringMatching(/eSpeak/), expect.stringMatching(/flite/)]));
    for (const chart of charts) expect(chart.dots, chart.title).toBeGreaterThan(0);
    // test speakers are marked apart from training ones
    expect(await browser.evaluate<number>(session, `document.querySelectorAll('[data-speaker][data-split="test"]').length`)).toBe(speakers.filter((s) => s.split === 'test').length);
    expect(await browser.evaluate<number>(session, 'document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
    expect(log.errors).toEqual([]);
    expect(log.requests.every((url) => url.startsWith('file:') || url.startsWith('data:'))).toBe(true);
    writeFileSync(join(artifacts, 'voices.png'), await browser.screenshot(session));
  });

  it('refuses a corpus without speakers.jsonl in one line', async () => {
    const result = await runCli(['voices', '--corpus', join(dir, 'nowhere'), '--out', join(dir, 'x.html')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^lstmp: .*nowhere.*speakers\.jsonl.*\n$/);
  });
});
