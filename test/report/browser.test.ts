import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Chromium, ensureChromium } from '../support/chromium.js';
import { buildCli, repoRoot, runCli } from '../support/cli.js';
import { toneCorpus } from '../support/corpus.js';

/**
 * The report and the teaching view of a short real run, opened in headless
 * Chromium (Debian's, installed here if missing): no console errors, nothing
 * fetched from anywhere, every chart drawn, nothing spilling sideways. Each
 * page's screenshot is kept in artifacts/ for people to look at.
 */
const artifacts = join(repoRoot, 'artifacts');
let corpus: string;
let browser: Chromium;
const pages: Record<string, string> = {};

beforeAll(async () => {
  ensureChromium();
  buildCli();
  corpus = toneCorpus({ utterances: 40 });
  const run = join(corpus, 'run');
  const trained = await runCli(['train', '--corpus', corpus, '--out', run, '--cells', '16', '--projection', '8', '--layers', '1', '--lr', '0.01', '--eval-every', '2500', '--threads', '1', '--epochs', '8', '--quiet']);
  expect(trained.stderr).toBe('');
  // decode.jsonl as the decoder writes it: one line per test utterance, with its alignment
  const edits = [
    { id: 'test-01', reference: ['three', 'one', 'four'], hypothesis: ['three', 'one', 'four'], edits: [{ op: 'ok', ref: 'three', hyp: 'three' }, { op: 'ok', ref: 'one', hyp: 'one' }, { op: 'ok', ref: 'four', hyp: 'four' }] },
    { id: 'test-02', reference: ['one', 'five', 'nine'], hypothesis: ['one', 'nine', 'nine', 'two'], edits: [{ op: 'ok', ref: 'one', hyp: 'one' }, { op: 'sub', ref: 'five', hyp: 'nine' }, { op: 'ok', ref: 'nine', hyp: 'nine' }, { op: 'ins', hyp: 'two' }] },
    { id: 'test-03', reference: ['two', 'six', 'five'], hypothesis: ['two', 'five'], edits: [{ op: 'ok', ref: 'two', hyp: 'two' }, { op: 'del', ref: 'six' }, { op: 'ok', ref: 'five', hyp: 'five' }] },
  ];
  writeFileSync(join(run, 'decode.jsonl'), edits.map((line) => `${JSON.stringify(line)}\n`).join(''));
  pages.report = join(run, 'report.html');
  pages.explain = join(run, 'explain.html');
  expect((await runCli(['report', run, '--out', pages.report])).status).toBe(0);
  const explained = await runCli(['explain', '--checkpoint', join(run, 'model.msgpack'), '--corpus', corpus, '--utterance', 'utt004', '--out', pages.explain]);
  expect(explained.stderr).toBe('');
  mkdirSync(artifacts, { recursive: true });
  browser = Chromium.launch();
}, 900_000);

afterAll(async () => {
  await browser?.close();
  rmSync(corpus, { recursive: true, force: true });
});

interface Figure {
  title: string;
  points: number;
  width: number;
  height: number;
  marks: number;
}

const figures = `[...document.querySelectorAll('figure[data-chart]')].map((figure) => {
  const svg = figure.querySelector(':scope > svg');
  const box = svg.getBoundingClientRect();
  const marks = [...svg.querySelectorAll('path.line, circle, path[class^="heat-"], rect')].filter((mark) => {
    const b = mark.getBoundingClientRect();
    return b.width > 0 || b.height > 0;
  }).length;
  return { title: figure.dataset.chart, points: Number(figure.dataset.points), width: box.width, height: box.height, marks };
})`;

describe('in a browser', () => {
  // At least the report's five charts (accuracy against frames and against time, loss, learning rate,
  // throughput) and the teaching view's eleven of a one-layer network.
  it.each([
    ['report', 'light', 5],
    ['report', 'dark', 5],
    ['explain', 'light', 11],
  ] as const)('the %s page (%s) draws every chart, logs no error and fetches nothing', async (name, scheme, least) => {
    const { session, log } = await browser.open(pathToFileURL(pages[name]).href, { width: 1280, height: 900, dark: scheme === 'dark' });
    const drawn = await browser.evaluate<Figure[]>(session, figures);
    expect(drawn.length).toBeGreaterThanOrEqual(least);
    for (const figure of drawn) {
      expect(figure.points, figure.title).toBeGreaterThan(0);
      expect(figure.marks, figure.title).toBeGreaterThan(0);
      expect(figure.width, figure.title).toBeGreaterThan(300);
      expect(figure.height, figure.title).toBeGreaterThan(80);
    }
    const overflow = await browser.evaluate<number>(session, 'document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    if (name === 'report') expect(await browser.evaluate<string[]>(session, `[...document.querySelectorAll('.w-sub, .w-del, .w-ins')].map((e) => e.className)`)).toEqual(expect.arrayContaining(['w-sub', 'w-del', 'w-ins']));
    expect(log.errors).toEqual([]);
    expect(log.requests.every((url) => url.startsWith('file:') || url.startsWith('data:'))).toBe(true);
    writeFileSync(join(artifacts, `${name}${scheme === 'dark' ? '-dark' : ''}.png`), await browser.screenshot(session));
  });
});
