import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { corpusStates, pairEntries, shuffled, splitFrames, utterances } from '../../../src/streams/corpora/corpus.js';
import { features, type SkippedUtterance } from '../../../src/streams/pipeline/features.js';
import { toneCorpus } from '../../support/corpus.js';

const dir = toneCorpus({ utterances: 20 });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ids = async (query: Parameters<typeof utterances>[1], corpus = dir) =>
  (await lastValueFrom(utterances(corpus, query).pipe(toArray()))).map((u) => u.id);

describe('utterances', () => {
  it('streams a split in manifest order, with audio and alignment', async () => {
    const train = await lastValueFrom(utterances(dir, { split: 'train' }).pipe(toArray()));
    expect(train.map((u) => u.id)).toEqual(Array.from({ length: 20 }, (_, i) => `utt${String(i).padStart(3, '0')}`).filter((_, i) => i % 5 !== 4));
    expect(new TextDecoder().decode(train[0].wav.subarray(0, 4))).toBe('RIFF');
    expect(train[0].alignment.length).toBeGreaterThan(10);
  });

  it('shards a split between readers: every utterance once', async () => {
    const all = await ids({ split: 'train' });
    const shards = await Promise.all([0, 1, 2].map((index) => ids({ split: 'train', shard: { index, count: 3 } })));
    expect(shards.flat().sort()).toEqual(all);
    expect(shards.map((s) => s.length)).toEqual([6, 5, 5]);
  });

  it('shuffles through a bounded buffer, reproducibly by seed, losing nothing', async () => {
    const all = await ids({ split: 'train' });
    const a = await ids({ split: 'train', shuffle: { seed: 1, buffer: 4 } });
    expect(a).not.toEqual(all);
    expect([...a].sort()).toEqual(all);
    expect(await ids({ split: 'train', shuffle: { seed: 1, buffer: 4 } })).toEqual(a);
    expect(await ids({ split: 'train', shuffle: { seed: 2, buffer: 4 } })).not.toEqual(a);
  });

  it('stops after a limit', async () => {
    expect(await ids({ split: 'dev', limit: 2 })).toEqual(['utt004', 'utt009']);
  });

  it('reports an utterance whose audio is missing and goes on', async () => {
    const broken = toneCorpus({ utterances: 3, splits: ['train'] });
    rmSync(join(broken, 'wav', 'utt001.wav'));
    const skipped: SkippedUtterance[] = [];
    expect(await ids({ split: 'train', skipped: { next: (s) => skipped.push(s) } }, broken)).toEqual(['utt000', 'utt002']);
    expect(skipped).toEqual([{ id: 'utt001', reason: `${join(broken, 'wav', 'utt001.wav')}: no such file` }]);
  });

  it('refuses a malformed manifest line or misordered alignments, naming the file and line', async () => {
    const bad = toneCorpus({ utterances: 2, splits: ['train'] });
    appendFileSync(join(bad, 'manifest.jsonl'), '{"id": "x"}\n');
    await expect(ids({ split: 'train' }, bad)).rejects.toThrow(/manifest.jsonl line 3: .*wav/);
    await expect(ids({ split: 'train' }, bad)).rejects.toBeInstanceOf(InputError);
    const swapped = toneCorpus({ utterances: 2, splits: ['train'] });
    writeFileSync(join(swapped, 'alignments.txt'), 'utt001 0 0\nutt000 1 1\n');
    await expect(ids({ split: 'train' }, swapped)).rejects.toThrow(/alignments.txt line 1 is for "utt001" but .*manifest.jsonl line 1 is "utt000"/);
    // An entry blanked out of the manifest, its alignment left: the blank line is named, not the order.
    const blanked = toneCorpus({ utterances: 4, splits: ['train'] });
    const lines = readFileSync(join(blanked, 'manifest.jsonl'), 'utf8').split('\n');
    lines[2] = '';
    writeFileSync(join(blanked, 'manifest.jsonl'), lines.join('\n'));
    await expect(ids({ split: 'train' }, blanked)).rejects.toThrow(
      new RegExp(`^${join(blanked, 'manifest.jsonl')} line 3 is blank where ${join(blanked, 'alignments.txt')} line 3 has "utt002": an utterance left out of the manifest must leave the alignments too$`),
    );
    rmSync(blanked, { recursive: true, force: true });
    await expect(ids({ split: 'train' }, '/nonexistent')).rejects.toThrow(/manifest.jsonl: no such file/);
  });

  it('reads one manifest and one alignment line per entry, and at most the buffer ahead when shuffling', async () => {
    let pulled = 0;
    async function* manifest() {
      for (let i = 0; i < 100_000; i++) {
        pulled++;
        yield `{"id":"u${i}","wav":"u${i}.wav","words":["oh"],"speaker":"s","split":"train","frames":1}`;
      }
    }
    async function* alignments() {
      for (let i = 0; ; i++) yield `u${i} 0`;
    }
    const names = { manifest: 'm', alignments: 'a' };
    const entries = pairEntries(manifest(), alignments(), names);
    for (let i = 0; i < 3; i++) await entries.next();
    expect(pulled).toBe(3);
    pulled = 0;
    const mixed = shuffled(pairEntries(manifest(), alignments(), names), 50, 1);
    for (let i = 0; i < 10; i++) await mixed.next();
    expect(pulled).toBe(60);
  });

  it('counts the frames of a split: what one epoch trains on', async () => {
    const train = await lastValueFrom(utterances(dir, { split: 'train' }).pipe(toArray()));
    expect(await splitFrames(dir, 'train')).toBe(train.reduce((sum, u) => sum + u.alignment.length, 0));
  });

  it('names the states', () => {
    expect(corpusStates(dir)).toEqual(['tone0', 'tone1', 'tone2', 'tone3']);
  });
});

describe('features', () => {
  it('turns audio into labelled filterbank frames whose count is the alignment length', async () => {
    const out = await lastValueFrom(utterances(dir, { split: 'dev' }).pipe(features({ normalisation: 'utterance' }), toArray()));
    expect(out).toHaveLength(4);
    for (const u of out) {
      expect(u.dim).toBe(40);
      expect(u.features.length).toBe(u.frames * 40);
      expect(u.targets.length).toBe(u.frames);
      expect(u.features.every(Number.isFinite)).toBe(true);
    }
  });

  it('skips a broken WAV (reported with its id) or, with strict, stops naming it', async () => {
    const broken = toneCorpus({ utterances: 3, splits: ['train'] });
    writeFileSync(join(broken, 'wav', 'utt001.wav'), 'not a wav at all');
    const skipped: SkippedUtterance[] = [];
    const kept = await lastValueFrom(utterances(broken, { split: 'train' }).pipe(features({ normalisation: 'none', skipped: { next: (s) => skipped.push(s) } }), toArray()));
    expect(kept.map((u) => u.id)).toEqual(['utt000', 'utt002']);
    expect(skipped).toHaveLength(1);
    expect(skipped[0].id).toBe('utt001');
    expect(skipped[0].reason).toMatch(/utt001.wav: /);
    await expect(lastValueFrom(utterances(broken, { split: 'train' }).pipe(features({ normalisation: 'none', strict: true })))).rejects.toThrow(/utterance utt001: .*utt001.wav/);
  });

  it('skips an utterance whose alignment does not fit its audio', async () => {
    const off = toneCorpus({ utterances: 1, splits: ['train'] });
    writeFileSync(join(off, 'alignments.txt'), 'utt000 0 1 2\n');
    const skipped: SkippedUtterance[] = [];
    await lastValueFrom(utterances(off, { split: 'train' }).pipe(features({ normalisation: 'none', skipped: { next: (s) => skipped.push(s) } })), { defaultValue: null });
    expect(skipped[0].reason).toMatch(/the alignment has 3 frames, the audio \d+/);
  });
});
