import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, runCli } from '../support/cli.js';
import { toneCorpus } from '../support/corpus.js';

let corpus: string;
let checkpoint: string;

beforeAll(async () => {
  buildCli();
  corpus = toneCorpus({ utterances: 10 });
  checkpoint = join(corpus, 'ck.msgpack');
  expect((await runCli(['init', '--inputs', '40', '--cells', '4', '--layers', '1', '--outputs', '4', '--out', checkpoint])).status).toBe(0);
});
afterAll(() => rmSync(corpus, { recursive: true, force: true }));

describe('lstmp eval', () => {
  const args = () => ['eval', '--checkpoint', checkpoint, '--corpus', corpus];

  it('reports progress over the utterances on stderr, as plain lines when not on a terminal', async () => {
    const result = await runCli(args());
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^dev: frame accuracy \d+\.\d{2}%, loss \d+\.\d{4} per frame over \d+ frames\n$/);
    expect(result.stderr).toMatch(/^(eval dev: \d+\/2 utterances \(\d+%\)\n)+$/);
    expect(result.stderr).toMatch(/eval dev: 2\/2 utterances \(100%\)\n$/);
    expect(result.stderr).not.toMatch(/[\x00-\x09\x0b-\x1f]/); // no control characters but newlines
  });

  it('is silent on stderr with --quiet, and with --json prints one JSON line only', async () => {
    const quiet = await runCli([...args(), '--quiet']);
    expect(quiet.status).toBe(0);
    expect(quiet.stderr).toBe('');
    const json = await runCli([...args(), '--json']);
    expect(json.stderr).toBe('');
    expect(Object.keys(JSON.parse(json.stdout))).toEqual(['frameAccuracy', 'loss', 'frames', 'skipped']);
  });

  it('says which utterances it skipped, and with --json counts them in the line too', async () => {
    const broken = toneCorpus({ utterances: 10 });
    try {
      rmSync(join(broken, 'wav', 'utt004.wav'));
      const json = await runCli(['eval', '--checkpoint', checkpoint, '--corpus', broken, '--json']);
      expect(json.status).toBe(0);
      expect(json.stderr).toBe(`skipped utt004: ${join(broken, 'wav', 'utt004.wav')}: no such file\n`);
      expect(JSON.parse(json.stdout)).toMatchObject({ frames: 86, skipped: 1 });
      const text = await runCli(['eval', '--checkpoint', checkpoint, '--corpus', broken, '--quiet']);
      expect(text.stdout).toMatch(/^dev: frame accuracy \d+\.\d{2}%, loss \d+\.\d{4} per frame over 86 frames, 1 utterance skipped\n$/);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });
});
