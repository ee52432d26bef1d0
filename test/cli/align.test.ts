import { appendFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeManifestLine } from '../../src/model/corpus/manifest.js';
import { encodeWav } from '../../src/ops/codecs/wav.js';
import { loadCheckpoint } from '../../src/streams/io/checkpoint-file.js';
import { buildCli, runCli, type CliResult } from '../support/cli.js';
import { toneWordCorpus } from '../support/word-corpus.js';

let corpus: string;
let run: string;
let trained: CliResult;

beforeAll(async () => {
  buildCli();
  corpus = toneWordCorpus({ utterances: 250, seed: 4 });
  run = mkdtempSync(join(tmpdir(), 'lstmp-align-'));
  // Training sees no alignment: the corpus's own wait aside, to compare with afterwards.
  renameSync(join(corpus, 'alignments.txt'), join(run, 'truth.txt'));
  trained = await runCli([
    'train', '--corpus', corpus, '--out', join(run, 'model'), '--flat-start', '--realign-every', '100000', '--eval-every', '25000', '--frames', '400000',
    '--cells', '48', '--projection', '24', '--layers', '1', '--lr', '0.005', '--momentum', '0.5', '--init-range', '0.1', '--delay', '2', '--threads', '1', '--dev-utterances', '50',
  ]);
  renameSync(join(run, 'truth.txt'), join(corpus, 'alignments.txt'));
}, 300_000);

afterAll(() => {
  rmSync(corpus, { recursive: true, force: true });
  rmSync(run, { recursive: true, force: true });
});

describe('lstmp train --flat-start', () => {
  it('trains from transcripts alone, saying what it aligned, and keeps each alignment', () => {
    expect(trained.stderr).toMatch(/^flat start: 250 utterances aligned uniformly to their transcripts \(.*alignments-0\.txt\)$/m);
    expect(trained.stderr).toMatch(/^realigned 250 utterances with the model of frame \d+ in \d+ s: \d+\.\d% of frames unchanged \(.*alignments-1\.txt\)$/m);
    expect(trained.status).toBe(0);
    expect(trained.stdout).toMatch(/^trained \d+ frames in \d+ s; kept the model of frame \d+/);
    for (const file of ['alignments-0.txt', 'alignments-1.txt', 'model.msgpack', 'last.msgpack', 'metrics.jsonl']) expect(existsSync(join(run, 'model', file))).toBe(true);
    // the checkpoint carries what recognition needs, estimated from the latest alignments
    const checkpoint = loadCheckpoint(join(run, 'model', 'model.msgpack'));
    expect(checkpoint.decoding).toBeDefined();
    expect(checkpoint.states).toHaveLength(18);
  });

  it('refuses evaluations rarer than realignments, in one line', async () => {
    const result = await runCli(['train', '--corpus', corpus, '--out', join(run, 'x'), '--flat-start', '--realign-every', '1000', '--eval-every', '5000']);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('lstmp: --eval-every 5000 is longer than --realign-every 1000: a flat start realigns with the model of an evaluation\n');
  });
});

describe('lstmp align', () => {
  it('aligns a split to its transcripts as alignments.txt and CTM, agreeing with the alignments the model never saw', async () => {
    const out = join(run, 'test-ali.txt');
    const result = await runCli(['align', '--checkpoint', join(run, 'model', 'model.msgpack'), '--corpus', corpus, '--split', 'test', '--out', out, '--ctm', join(run, 'words.ctm'), '--phone-ctm', join(run, 'phones.ctm'), '--json']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const line = JSON.parse(result.stdout);
    expect(Object.keys(line)).toEqual(['aligned', 'unaligned', 'frames', 'seconds', 'out', 'agreement']);
    expect(line).toMatchObject({ aligned: 50, unaligned: 0, out });
    // measured: 0.77–0.85 of frames in the true phone, as the flat start's own alignments (a uniform one has 0.77)
    expect(line.agreement.phones).toBeGreaterThan(0.75);
    expect(line.agreement.states).toBeLessThanOrEqual(line.agreement.phones);

    const manifest = readFileSync(join(corpus, 'manifest.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; words: string[]; frames: number; split: string });
    const test = manifest.filter((u) => u.split === 'test');
    const alignments = readFileSync(out, 'utf8').trim().split('\n').map((l) => l.split(' '));
    expect(alignments.map((a) => a[0])).toEqual(test.map((u) => u.id));
    alignments.forEach((a, i) => expect(a.length - 1).toBe(test[i].frames));
    // word times: the transcript's words in order, back to back or with silence between, inside the utterance
    const ctm = readFileSync(join(run, 'words.ctm'), 'utf8').trim().split('\n').map((l) => l.split(' '));
    for (const u of test) {
      const lines = ctm.filter((l) => l[0] === u.id);
      expect(lines.map((l) => l[4])).toEqual(u.words);
      let end = 0;
      for (const [, channel, start, duration] of lines) {
        expect(channel).toBe('1');
        expect(Number(start)).toBeGreaterThanOrEqual(end - 1e-9);
        expect(Number(duration)).toBeGreaterThan(0);
        end = Number(start) + Number(duration);
      }
      expect(end).toBeLessThanOrEqual(u.frames / 100 + 1e-9);
    }
    const phones = readFileSync(join(run, 'phones.ctm'), 'utf8').trim().split('\n');
    expect(phones.filter((l) => l.startsWith(`${test[0].id} `))[0]).toMatch(/ 0\.00 \d+\.\d\d sil$/);
  });

  it('names each utterance it cannot align and why, counts them, and aligns the rest', async () => {
    // a corpus with two utterances that cannot be aligned: too short for its words, and a word the model has no pronunciation of
    const broken = mkdtempSync(join(tmpdir(), 'lstmp-align-broken-'));
    try {
      for (const file of ['states.txt', 'lexicon.txt']) writeFileSync(join(broken, file), readFileSync(join(corpus, file)));
      const lines = readFileSync(join(corpus, 'manifest.jsonl'), 'utf8').trim().split('\n').slice(0, 3);
      writeFileSync(join(broken, 'manifest.jsonl'), lines.map((l) => `${l.replace('"wav/', `"${corpus}/wav/`)}\n`).join(''));
      writeFileSync(join(broken, 'short.wav'), encodeWav(new Float32Array(800), 16000));
      appendFileSync(join(broken, 'manifest.jsonl'), `${encodeManifestLine({ id: 'short', wav: 'short.wav', words: ['one', 'two', 'three'], speaker: 's', split: 'train', frames: 3 })}\n`);
      appendFileSync(join(broken, 'manifest.jsonl'), `${encodeManifestLine({ id: 'unknown', wav: JSON.parse(lines[0]).wav.replace('wav/', `${corpus}/wav/`), words: ['one', 'four'], speaker: 's', split: 'train', frames: JSON.parse(lines[0]).frames })}\n`);
      const out = join(broken, 'ali.txt');
      const result = await runCli(['align', '--checkpoint', join(run, 'model', 'model.msgpack'), '--corpus', broken, '--out', out]);
      expect(result.status).toBe(0);
      const reasons = result.stderr.split('\n').filter((l) => l.startsWith('not aligned'));
      expect(reasons).toEqual(['not aligned short: 3 frames are too few for its 3 words (15 states at the least)', 'not aligned unknown: not in the lexicon: "four"']);
      expect(result.stdout).toMatch(/^aligned 3 utterances \(\d+ frames\), 2 could not be: /);
      expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(3);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });

  it('refuses a checkpoint without a decoding model and a missing corpus, in one line', async () => {
    const fresh = join(run, 'fresh.msgpack');
    expect((await runCli(['init', '--inputs', '40', '--cells', '8', '--projection', '4', '--layers', '1', '--outputs', '18', '--out', fresh])).status).toBe(0);
    const untrained = await runCli(['align', '--checkpoint', fresh, '--corpus', corpus, '--out', join(run, 'a.txt')]);
    expect(untrained.status).toBe(2);
    expect(untrained.stderr).toBe(`lstmp: ${fresh}: no decoding model to align with: train on a corpus with a lexicon (lstmp train), whose checkpoints carry one\n`);
    const missing = await runCli(['align', '--checkpoint', join(run, 'model', 'model.msgpack'), '--corpus', '/nonexistent', '--out', join(run, 'a.txt')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^lstmp: \/nonexistent.*\n$/);
  });
});
