import * as E from 'fp-ts/lib/Either.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeCheckpoint, type Checkpoint } from '../../src/model/formats/checkpoint.js';
import { resample } from '../../src/ops/dsp/resample.js';
import { decodeWav, encodeWav } from '../../src/ops/codecs/wav.js';
import { corpusEntries } from '../../src/streams/corpora/corpus.js';
import { buildCli, refusalNaming, runCli } from '../support/cli.js';
import { toneWordCheckpoint, toneWordCorpus } from '../support/word-corpus.js';

let dir: string;
let model: string;
let bare: string;
const references = new Map<string, { words: string[]; split: string }>();

beforeAll(async () => {
  buildCli();
  dir = toneWordCorpus({ utterances: 20, seed: 3 });
  const checkpoint = await toneWordCheckpoint(dir);
  model = join(dir, 'model.msgpack');
  writeFileSync(model, encodeCheckpoint(checkpoint));
  // As a checkpoint written before checkpoints carried a decoding model.
  const { decoding: _, priors: __, ...older }: Checkpoint = checkpoint;
  bare = join(dir, 'bare.msgpack');
  writeFileSync(bare, encodeCheckpoint(older));
  for await (const { utterance } of corpusEntries(dir)) references.set(utterance.id, { words: utterance.words, split: utterance.split });
});

const wordsOf = (split: string) => [...references.values()].filter((r) => r.split === split).flatMap((r) => r.words).length;

describe('lstmp decode --corpus', () => {
  it('prints one JSON line with the error counts of the split', async () => {
    const result = await runCli(['decode', '--checkpoint', model, '--corpus', dir, '--json']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines).toHaveLength(2);
    const summary = JSON.parse(lines[0]) as Record<string, number>;
    expect(Object.keys(summary)).toEqual(['wer', 'ser', 'words', 'sub', 'del', 'ins', 'skipped']);
    expect(summary.words).toBe(wordsOf('test'));
    expect(summary.wer).toBeCloseTo((summary.sub + summary.del + summary.ins) / summary.words, 12);
    expect(summary.wer).toBeLessThanOrEqual(0.05);
  });

  it('gives the share of utterances with any error as the SER, as its per-utterance lines count them', async () => {
    // A word bonus that inserts words: most utterances then have errors.
    for (const bonus of ['0', '30']) {
      const args = ['decode', '--checkpoint', model, '--corpus', dir, '--word-bonus', bonus];
      const [json, text] = await Promise.all([runCli([...args, '--json']), runCli([...args, '--quiet'])]);
      const utterances = text.stdout.trimEnd().split('\n').slice(0, -1);
      expect(utterances).toHaveLength([...references.values()].filter((r) => r.split === 'test').length);
      const wrong = utterances.filter((line) => !/\| {2}0 errors \(/.test(line)).length;
      if (bonus !== '0') expect(wrong).toBeGreaterThan(0);
      expect((JSON.parse(json.stdout) as { ser: number }).ser).toBe(wrong / utterances.length);
    }
  });

  it('prints a line per utterance in corpus order, then the summary', async () => {
    const result = await runCli(['decode', '--checkpoint', model, '--corpus', dir, '--split', 'dev', '--quiet']);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trimEnd().split('\n');
    const dev = [...references.entries()].filter(([, r]) => r.split === 'dev');
    expect(lines).toHaveLength(dev.length + 1);
    dev.forEach(([id, { words }], k) => {
      expect(lines[k]).toMatch(new RegExp(`^${id}  ref: .*  \\|  hyp: .*  \\|  \\d+ errors? \\(\\d+ sub, \\d+ del, \\d+ ins\\)$`));
      const errors = Number(/\| {2}(\d+) error/.exec(lines[k])![1]);
      if (errors === 0) expect(lines[k]).toContain(`ref: ${words.join(' ')}  |  hyp: ${words.join(' ')}  |`);
    });
    expect(lines[dev.length]).toMatch(/^dev: WER \d+\.\d\d% \(\d+ sub, \d+ del, \d+ ins of \d+ words\), SER \d+\.\d\d% \(\d+ of \d+ utterances\); \d+ frames in [\d.]+ s \(\d+ frames\/s on 2 threads\)$/);
  });

  it('scores only the first N utterances with --limit, on one thread or two alike', async () => {
    const [one, two] = await Promise.all(
      ['1', '2'].map((threads) => runCli(['decode', '--checkpoint', model, '--corpus', dir, '--split', 'train', '--limit', '3', '--threads', threads, '--json'])),
    );
    expect(one.stdout).toBe(two.stdout);
    const train = [...references.values()].filter((r) => r.split === 'train').slice(0, 3);
    expect((JSON.parse(one.stdout) as { words: number }).words).toBe(train.flatMap((r) => r.words).length);
  });

  it('estimates the decoding model from the corpus for a checkpoint without one', async () => {
    const result = await runCli(['decode', '--checkpoint', bare, '--corpus', dir, '--split', 'test']);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(`${bare} has no decoding model: estimating one from ${dir}'s training split`);
    expect(result.stdout).toMatch(/^test: WER /m);
  });
});

describe('lstmp decode FILE.wav', () => {
  it('prints "file: words" for each file, at any sample rate', async () => {
    const [first, second] = [...references.entries()].filter(([, r]) => r.split === 'test').map(([id]) => id);
    const original = join(dir, 'wav', `${first}.wav`);
    const audio = decodeWav(readFileSync(join(dir, 'wav', `${second}.wav`)));
    if (E.isLeft(audio)) throw new Error(audio.left);
    const at22k = join(dir, 'resampled.wav');
    writeFileSync(at22k, encodeWav(resample(audio.right.samples, 16000, 22050), 22050));
    const result = await runCli(['decode', '--checkpoint', model, original, at22k]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${original}: ${references.get(first)!.words.join(' ')}\n${at22k}: ${references.get(second)!.words.join(' ')}\n`);
  });
});

describe('a checkpoint written by lstmp train', () => {
  it('carries the decoding model, so decode needs no corpus', async () => {
    const out = join(dir, 'run');
    const train = await runCli(['train', '--corpus', dir, '--out', out, '--cells', '8', '--projection', '4', '--layers', '1', '--frames', '1500', '--threads', '1', '--dev-utterances', '2', '--quiet']);
    expect(train.status).toBe(0);
    const wav = join(dir, 'wav', 'tw0000.wav');
    const result = await runCli(['decode', '--checkpoint', join(out, 'model.msgpack'), wav]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^${wav}: [a-z ]*\n$`));
  });
});

describe.concurrent('lstmp decode refuses', () => {
  it('a file that is not a WAV, naming it, before printing anything', async () => {
    const text = join(dir, 'notes.wav');
    writeFileSync(text, 'hello');
    const result = await runCli(['decode', '--checkpoint', model, join(dir, 'wav', 'tw0000.wav'), text]);
    expect(refusalNaming(result, text)).toMatch(/RIFF|WAV|short|truncated/i);
  });

  it('a missing WAV, a missing checkpoint, a missing corpus', async () => {
    const missing = join(dir, 'none.wav');
    expect(refusalNaming(await runCli(['decode', '--checkpoint', model, missing]), missing)).toBe('no such file');
    const noCheckpoint = join(dir, 'none.msgpack');
    expect(refusalNaming(await runCli(['decode', '--checkpoint', noCheckpoint, missing]), noCheckpoint)).toBe('no such file');
    const noCorpus = join(dir, 'elsewhere');
    expect(refusalNaming(await runCli(['decode', '--checkpoint', model, '--corpus', noCorpus]), join(noCorpus, 'manifest.jsonl'))).toBe('no such file');
  });

  it('a checkpoint without a decoding model when there is no corpus to estimate one from', async () => {
    const wav = join(dir, 'wav', 'tw0000.wav');
    expect(refusalNaming(await runCli(['decode', '--checkpoint', bare, wav]), bare)).toMatch(/^no decoding model/);
  });

  it('a checkpoint that is not one', async () => {
    const wav = join(dir, 'wav', 'tw0000.wav');
    expect(refusalNaming(await runCli(['decode', '--checkpoint', wav, wav]), wav)).toBe('not an lstmp checkpoint (not a map)');
  });

  it.each([
    [['decode', '--checkpoint', 'ck.msgpack'], /give WAV files to transcribe, or --corpus DIR to score/],
    [['decode', '--checkpoint', 'ck.msgpack', '--corpus', 'x', '--beam', '-1'], /--beam/],
    [['decode', '--checkpoint', 'ck.msgpack', '--corpus', 'x', '--split', 'eval'], /--split/],
    [['decode', '--checkpoint', 'ck.msgpack', '--corpus', 'x', '--max-active', '0'], /--max-active/],
  ])('bad options %j with one line and exit 2', async (args, message) => {
    const result = await runCli(args as string[], dir);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });
});
