#!/usr/bin/env node
/**
 * npm run web: builds the live page (src/report/live) into dist/web, a
 * static folder any web server can serve (`npx http-server dist/web`, or
 * `lstmp`'s own test server): the page and its thread bundled by esbuild
 * from the same src/ as the command line, and lesson.msgpack, the features
 * and state labels of SynthDigits utterances the page trains on.
 *
 *     npm run web [-- --out dist/web] [--corpus corpora/synthdigits] [--utterances 160] [--serve [--port 8080]]
 *
 * With --serve it then serves the folder on 127.0.0.1 until interrupted.
 *
 * Without --corpus a small corpus (eSpeak NG, 200 utterances) is made for it
 * with lstmp synth first. Needs `npm run build` (the command line in dist/).
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { out: { type: 'string', default: join(root, 'dist', 'web') }, corpus: { type: 'string' }, utterances: { type: 'string', default: '160' }, quiet: { type: 'boolean', default: false }, serve: { type: 'boolean', default: false }, port: { type: 'string', default: '8080' } } });
const out = resolve(values.out);
const say = (line) => values.quiet || process.stderr.write(`${line}\n`);
mkdirSync(out, { recursive: true });
const cli = join(root, 'dist', 'cli', 'main.js');
if (!existsSync(cli)) throw new Error('dist/cli/main.js is missing: run npm run build first');

await build({
  entryPoints: { page: join(root, 'src/report/live/page.ts'), 'lesson-thread': join(root, 'src/report/live/lesson-thread.ts') },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  outdir: out,
  minify: true,
  sourcemap: true,
  logLevel: values.quiet ? 'error' : 'warning',
});
writeFileSync(
  join(out, 'index.html'),
  `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark"><title>Truncated BPTT, live — lstmp</title><link rel="icon" href="data:,"></head>
<body><script type="module" src="./page.js"></script></body>
</html>
`,
);
say(`bundled the page into ${out}`);

let corpus = values.corpus;
if (corpus === undefined) {
  corpus = join(out, 'corpus');
  if (!existsSync(join(corpus, 'manifest.jsonl'))) {
    say('making a small SynthDigits corpus for the page (lstmp synth, 200 utterances)…');
    const made = spawnSync(process.execPath, [cli, 'synth', '--out', corpus, '--utterances', '200', '--synthesizers', 'espeak', '--speakers', '40', '--quiet'], { stdio: 'inherit' });
    if (made.status !== 0) process.exit(made.status ?? 1);
  }
}
const lstmp = await import(join(root, 'dist', 'index.js'));
const { lastValueFrom, toArray, take } = await import('rxjs');
const { encodeLessonData } = await import(join(root, 'dist', 'streams', 'training', 'lesson.js'));
const stats = await lstmp.corpusCmvn(corpus, 'train', 500);
const { cmvnTransform } = await import(join(root, 'dist', 'ops', 'dsp', 'cmvn.js'));
const utterances = await lastValueFrom(
  lstmp.utterances(corpus, { split: 'train' }).pipe(lstmp.features({ normalisation: cmvnTransform(stats) }), take(Number(values.utterances)), toArray()),
);
const temporary = join(out, `.lesson.msgpack.${process.pid}`);
writeFileSync(temporary, encodeLessonData({ states: lstmp.corpusStates(corpus), utterances }));
renameSync(temporary, join(out, 'lesson.msgpack'));
say(`wrote ${utterances.length} utterances' features to ${join(out, 'lesson.msgpack')}; serve ${out} and open it`);

if (values.serve) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json', '.msgpack': 'application/octet-stream' };
  createServer((request, response) => {
    const path = normalize(join(out, decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)));
    const file = path === out || path.endsWith('/') ? join(path, 'index.html') : path;
    if (!file.startsWith(out) || !existsSync(file)) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  }).listen(Number(values.port), '127.0.0.1', () => process.stderr.write(`open http://127.0.0.1:${values.port}/ (Ctrl-C stops)\n`));
}
