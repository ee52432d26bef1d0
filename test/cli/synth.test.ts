import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeManifest } from '../../src/model/corpus/manifest.js';
import { buildCli, refusalNaming, runCli } from '../support/cli.js';

let root: string;

beforeAll(() => {
  buildCli();
  root = mkdtempSync(join(tmpdir(), 'lstmp-synth-cli-'));
});

describe('lstmp synth', () => {
  it('writes a corpus and says what it made; progress without control characters off a terminal; leaves no scratch files', async () => {
    const out = join(root, 'corpus');
    const scratch = mkdtempSync(join(root, 'tmp-'));
    const result = await runCli(['synth', '--out', out, '--utterances', '10', '--threads', '2', '--seed', '3'], undefined, { env: { ...process.env, TMPDIR: scratch } });
    expect(readdirSync(scratch)).toEqual([]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^${out}: 10 utterances \\(train 8, dev 1, test 1\\), [\\d.]+ min, \\d+ training speakers \\+ 1 held out for test, \\d+ phones, \\d+ states\\n$`));
    expect(result.stderr).toMatch(/synth: 10\/10 utterances \(100%\)\n$/);
    expect(result.stderr).not.toMatch(/[\x1b\r]/);
    const manifest = decodeManifest(readFileSync(join(out, 'manifest.jsonl'), 'utf8'));
    expect(E.isRight(manifest) && manifest.right.length).toBe(10);
  });

  it('prints one JSON line with --json, and no progress', async () => {
    const out = join(root, 'json');
    const result = await runCli(['synth', '--out', out, '--utterances', '10', '--threads', '2', '--seed', '3', '--json']);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.endsWith('\n') && result.stdout.split('\n').length).toBe(2);
    const summary = JSON.parse(result.stdout);
    const corpus = JSON.parse(readFileSync(join(out, 'corpus.json'), 'utf8'));
    const frames = corpus.frames.train + corpus.frames.dev + corpus.frames.test;
    expect(summary).toEqual({
      utterances: { train: 8, dev: 1, test: 1 },
      frames,
      minutes: frames / 6000,
      speakers: new Set([...corpus.speakers.train, ...corpus.speakers.dev]).size,
      testSpeakers: corpus.speakers.test.length,
      phones: corpus.phones.length,
      states: corpus.states,
      seconds: expect.any(Number),
      out,
    });
    expect(summary.seconds).toBeGreaterThan(0);
    const manifest = decodeManifest(readFileSync(join(out, 'manifest.jsonl'), 'utf8'));
    expect(E.isRight(manifest) && manifest.right.reduce((n, u) => n + u.frames, 0)).toBe(frames);
  });

  it('prints nothing with --quiet', async () => {
    const result = await runCli(['synth', '--out', join(root, 'quiet'), '--utterances', '1', '--threads', '1', '--quiet']);
    expect(result).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it('refuses a directory it cannot create with one line', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    expect(refusalNaming(await runCli(['synth', '--out', join(file, 'corpus'), '--utterances', '1']), join(file, 'corpus'))).toBe(
      'cannot create the directory (ENOTDIR)',
    );
  });

  it('refuses bad numbers with exit code 2', async () => {
    const bad = [['--utterances', '0'], ['--seed', '-1'], ['--seed', '4294967296'], ['--threads', 'two'], ['--speakers', '1'], ['--speakers', 'many']];
    for (const result of await Promise.all(bad.map((args) => runCli(['synth', '--out', join(root, 'never'), ...args])))) {
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n').length).toBe(1);
    }
  });
});
