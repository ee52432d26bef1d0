/**
 * The live page's training speed against Node's, the same benchmark side by
 * side: one lesson (the page's default network, 64 cells, projection 32,
 * one layer, 4 streams × 20 steps) trained for --updates updates by
 * lessonTrainer on one thread, in Node and in headless Chromium's Web
 * Worker (the page built by npm run web), on the same lesson data; frames
 * per second of each and their ratio.
 *
 *     npx tsx bench/live.ts [--updates 1500] [--web dist/web]
 */
import * as E from 'fp-ts/lib/Either.js';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { enableRelaxedSimd } from '../src/cli/relaxed-simd.js';
import { createWasmKernels } from '../src/ops/kernels/wasm/wasm-kernels.js';
import { DEFAULT_LESSON, decodeLessonData, lessonNetwork, lessonToSearch, lessonTrainer } from '../src/streams/training/lesson.js';
import { Chromium, ensureChromium } from '../test/support/chromium.js';
import { serveStatic } from '../test/support/static-server.js';

const { values } = parseArgs({
  options: {
    updates: { type: 'string', default: '400' },
    cells: { type: 'string', default: '256' },
    projection: { type: 'string', default: '128' },
    layers: { type: 'string', default: '2' },
    web: { type: 'string', default: 'dist/web' },
  },
});
const updates = Number(values.updates);
const lesson = { ...DEFAULT_LESSON, cells: Number(values.cells), projection: Number(values.projection), layers: Number(values.layers) };
const web = resolve(values.web as string);
if (!existsSync(join(web, 'lesson.msgpack'))) {
  const built = spawnSync('npm', ['run', 'web', '--', '--out', web], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
const data = decodeLessonData(readFileSync(join(web, 'lesson.msgpack')));
if (E.isLeft(data)) throw new Error(data.left);

// Node: the same trainer, timed over the same updates, with relaxed SIMD as the command line has it (Chromium ships it).
enableRelaxedSimd();
const trainer = lessonTrainer(lesson, data.right, lessonNetwork(lesson, data.right, createWasmKernels()));
let frames = 0;
const began = performance.now();
for (let k = 0; k < updates; k++) frames += trainer.next().frames;
const node = frames / ((performance.now() - began) / 1000);

// Chromium: the page trains the same lesson in its thread and counts its own time.
ensureChromium();
const { server, origin } = await serveStatic(web);
const browser = Chromium.launch();
const { session } = await browser.open(`${origin}/?${lessonToSearch(lesson)}&updates=${updates}`, { width: 1280, height: 900 });
let page: { frames: number; trainingMs: number; done: boolean } | null = null;
for (const start = Date.now(); Date.now() - start < 600_000; await new Promise((r) => setTimeout(r, 250))) {
  page = await browser.evaluate(session, `(() => { const l = window.lstmpLive; return l && { frames: l.frames, trainingMs: l.trainingMs, done: l.losses.length === ${updates} && !l.running, error: l.error }; })()`);
  if (page?.done) break;
}
await browser.close();
server.close();
if (!page?.done) throw new Error('the page did not finish');
const chromium = page.frames / (page.trainingMs / 1000);
const result = { network: `${lesson.cells}/${lesson.projection} × ${lesson.layers}`, updates, framesPerUpdate: lesson.streams * lesson.steps, nodeFramesPerSecond: Math.round(node), chromiumFramesPerSecond: Math.round(chromium), nodeOverChromium: Number((node / chromium).toFixed(2)) };
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
