import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { lastValueFrom, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAlignments } from '../../../src/model/corpus/alignment.js';
import { parseLexicon, pronunciationsByWord } from '../../../src/model/corpus/lexicon.js';
import { decodeManifest, encodeManifest, type Utterance } from '../../../src/model/corpus/manifest.js';
import { SILENCE, STATES_PER_PHONE, parseStates, type StateInventory } from '../../../src/model/corpus/states.js';
import { frameCount } from '../../../src/ops/dsp/fbank.js';
import { decodeWav } from '../../../src/ops/codecs/wav.js';
import { DIGIT_PHONES } from '../../../src/model/corpus/digits.js';
import { decodeSpeakers } from '../../../src/model/synthesis/speakers.js';
import { DEFAULT_SPEAKERS, synthesizeCorpus, type CorpusInfo, type SynthEvent } from '../../../src/streams/corpora/synth.js';

const UTTERANCES = 200;
let dir: string;
let events: SynthEvent[];
let manifestText: string;
let manifest: Utterance[];
let inventory: StateInventory;
let alignments: Map<string, Int32Array>;
let info: CorpusInfo;

function right<T>(either: E.Either<string, T>): T {
  if (E.isLeft(either)) throw new Error(either.left);
  return either.right;
}

const read = (path: string) => readFileSync(join(dir, path), 'utf8');

function generate(utterances: number, threads: number): Promise<SynthEvent[]> {
  const out = mkdtempSync(join(tmpdir(), 'lstmp-synth-'));
  return lastValueFrom(synthesizeCorpus({ dir: out, utterances, seed: 7, threads }).pipe(toArray())).then((list) => {
    dir = dir ?? out;
    return list.map((event) => (event.type === 'finished' ? { ...event, dir: out } : event));
  });
}

/** Every file under `root` with its hash, by relative path. */
function hashes(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (path: string): void => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else out[relative(root, full)] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(root);
  return out;
}

/**
 * The phones an alignment spells out: a phone starts wherever a state `_0`
 * starts, and must then pass through `_1` and `_2` in order.
 */
function phonesOf(states: Int32Array): string[] {
  const phones: string[] = [];
  let previous = -1;
  for (const state of states) {
    if (state !== previous) {
      const k = state % STATES_PER_PHONE;
      if (k === 0) phones.push(inventory.phones[Math.floor(state / STATES_PER_PHONE)]);
      else expect(state).toBe(previous + 1);
    }
    previous = state;
  }
  return phones;
}

/** Whether `phones` is the words said one after another, each in one of its lexicon pronunciations. */
function spells(phones: readonly string[], words: readonly string[], lexicon: ReadonlyMap<string, readonly (readonly string[])[]>): boolean {
  let reachable = new Set([0]);
  for (const word of words) {
    const next = new Set<number>();
    for (const at of reachable) {
      for (const pronunciation of lexicon.get(word) ?? []) {
        if (pronunciation.every((phone, i) => phones[at + i] === phone)) next.add(at + pronunciation.length);
      }
    }
    reachable = next;
  }
  return reachable.has(phones.length);
}

beforeAll(async () => {
  events = await generate(UTTERANCES, 2);
  manifestText = read('manifest.jsonl');
  manifest = right(decodeManifest(manifestText));
  inventory = right(parseStates(read('states.txt')));
  alignments = right(parseAlignments(read('alignments.txt'), inventory.names.length));
  info = JSON.parse(read('corpus.json')) as CorpusInfo;
});

describe('synthesizeCorpus', () => {
  it('reports its start, every utterance and the finished corpus', () => {
    expect(events[0]).toMatchObject({ type: 'started', total: UTTERANCES, threads: 2 });
    expect(events.filter((e) => e.type === 'progress').map((e) => (e.type === 'progress' ? e.done : 0))).toEqual(Array.from({ length: UTTERANCES }, (_, i) => i + 1));
    expect(events[events.length - 1].type).toBe('finished');
  });

  it('writes a manifest that round-trips through its codec, 80/10/10 by utterance', () => {
    expect(manifest.length).toBe(UTTERANCES);
    expect(encodeManifest(manifest)).toBe(manifestText);
    expect(info.utterances).toEqual({ train: 160, dev: 20, test: 20 });
    expect(manifest.filter((u) => u.split === 'test').length).toBe(20);
  });

  it('aligns every frame of every WAV with a state of the inventory', () => {
    expect(inventory.phones[0]).toBe(SILENCE);
    expect(info.states).toBe(inventory.names.length);
    expect(info.phones).toEqual(inventory.phones);
    expect([...alignments.keys()]).toEqual(manifest.map((u) => u.id));
    for (const u of manifest) {
      const audio = right(decodeWav(readFileSync(join(dir, u.wav))));
      expect(audio.sampleRate).toBe(16000);
      expect(u.frames).toBe(frameCount(audio.samples.length));
      const states = alignments.get(u.id) as Int32Array;
      expect(states.length).toBe(u.frames);
      for (const state of states) expect(state).toBeLessThan(inventory.names.length);
      // silence before and after the words
      expect(states[0]).toBe(0);
      expect(states[states.length - 1]).toBe(STATES_PER_PHONE - 1);
    }
  });

  it("spells each utterance's words with pronunciations from the lexicon", () => {
    const lexicon = pronunciationsByWord(right(parseLexicon(read('lexicon.txt'))));
    expect([...lexicon.keys()].sort()).toEqual(['eight', 'five', 'four', 'nine', 'oh', 'one', 'seven', 'six', 'three', 'two', 'zero']);
    for (const u of manifest) {
      const phones = phonesOf(alignments.get(u.id) as Int32Array).filter((phone) => phone !== SILENCE);
      expect(spells(phones, u.words, lexicon)).toBe(true);
    }
  });

  it('never lets a test speaker, nor a test speaker\'s base voice, into train or dev', () => {
    const speakers = (split: string) => new Set(manifest.filter((u) => u.split === split).map((u) => u.speaker));
    const test = speakers('test');
    expect(test.size).toBeGreaterThan(10);
    for (const split of ['train', 'dev']) for (const speaker of speakers(split)) expect(test.has(speaker)).toBe(false);
    expect(info.speakers.test).toEqual([...test].sort());
    const lines = right(decodeSpeakers(read('speakers.jsonl')));
    const byId = new Map(lines.map((line) => [line.id, line]));
    const trainingBases = new Set(lines.filter((l) => l.split === 'train').map((l) => `${l.synthesizer} ${l.base}`));
    for (const id of test) {
      const speaker = byId.get(id)!;
      expect(speaker.split).toBe('test');
      expect(trainingBases.has(`${speaker.synthesizer} ${speaker.base}`)).toBe(false);
    }
    expect(info.speakerSource).toBe('generated');
    expect(lines.length).toBe(2 * DEFAULT_SPEAKERS);
    expect(info.synthesizers.espeak?.voices.length).toBe(8);
    expect(info.synthesizers.flite?.voices).toEqual(['awb', 'kal', 'kal16', 'rms', 'slt']);
  });

  it('speaks with both synthesizers, about two utterances of eSpeak to one of flite, in the digit phones', () => {
    const espeak = info.synthesizers.espeak!.utterances;
    const flite = info.synthesizers.flite!.utterances;
    expect(espeak + flite).toBe(UTTERANCES);
    expect(flite).toBeGreaterThan(UTTERANCES / 5);
    expect(espeak).toBeGreaterThan(flite);
    expect(inventory.phones).toEqual(DIGIT_PHONES);
    expect(info.states).toBe(3 * DIGIT_PHONES.length);
  });

  it('with stock voices too: those of the training base voices speak training utterances, and the test utterances are the same audio as without', async () => {
    const out = mkdtempSync(join(tmpdir(), 'lstmp-synth-'));
    await lastValueFrom(synthesizeCorpus({ dir: out, utterances: 40, seed: 7, threads: 2, withStock: true }));
    const lines = right(decodeSpeakers(readFileSync(join(out, 'speakers.jsonl'), 'utf8')));
    const stock = lines.filter((l) => l.group === 'stock');
    expect(stock.length).toBeGreaterThan(100); // eSpeak's variants on the training bases, and flite's voices
    expect(stock.every((l) => l.split === 'train')).toBe(true);
    const testBases = new Set(lines.filter((l) => l.split === 'test').map((l) => `${l.synthesizer} ${l.base}`));
    for (const l of stock) expect(testBases.has(`${l.synthesizer} ${l.base}`)).toBe(false);
    const mixed = right(decodeManifest(readFileSync(join(out, 'manifest.jsonl'), 'utf8')));
    const spoken = new Set(mixed.filter((u) => u.split !== 'test').map((u) => u.speaker));
    expect(stock.some((l) => spoken.has(l.id))).toBe(true);
    const tests = mixed.filter((u) => u.split === 'test');
    expect(tests.length).toBe(4);
    for (const u of tests) {
      expect(u).toEqual(manifest.find((v) => v.id === u.id));
      expect(readFileSync(join(out, 'wav', `${u.id}.wav`))).toEqual(readFileSync(join(dir, 'wav', `${u.id}.wav`)));
    }
  });

  it('is byte-identical for the same seed, whatever the number of threads', async () => {
    const [one, two] = await Promise.all([generate(20, 1), generate(20, 2)]);
    const dirOf = (list: SynthEvent[]) => (list[list.length - 1] as unknown as { dir: string }).dir;
    const a = hashes(dirOf(one));
    expect(Object.keys(a).length).toBe(26); // 20 WAVs, manifest, lexicon, states, alignments, speakers, corpus.json
    expect(hashes(dirOf(two))).toEqual(a);
    // and the first 20 utterances of the bigger corpus are the same audio
    expect(readFileSync(join(dir, 'wav', 'sd000013.wav'))).toEqual(readFileSync(join(dirOf(one), 'wav', 'sd000013.wav')));
  });
});
