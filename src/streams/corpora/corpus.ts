import * as E from 'fp-ts/lib/Either.js';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { from, type Observable, type Observer } from 'rxjs';
import { fail, orFail } from '../../errors.js';
import { parseAlignmentLine } from '../../model/corpus/alignment.js';
import { decodeManifestLine, type Split, type Utterance } from '../../model/corpus/manifest.js';
import { parseStateNames } from '../../model/corpus/states.js';
import { mulberry32 } from '../../ops/random.js';
import type { AudioUtterance, SkippedUtterance } from '../pipeline/features.js';
import { fileProblem, readLines, readText } from '../io/files.js';

/** Which utterances of a corpus to read, and in what order. */
export interface CorpusQuery {
  /** one split, or every utterance of the corpus in manifest order */
  readonly split: Split | 'all';
  /** this reader's share: utterances whose index within the split ≡ index (mod count) */
  readonly shard?: { readonly index: number; readonly count: number };
  /** shuffle through a buffer of this many utterances (bounded memory), seeded */
  readonly shuffle?: { readonly seed: number; readonly buffer: number };
  /** stop after this many utterances */
  readonly limit?: number;
  /** told of utterances whose audio cannot be read */
  readonly skipped?: Partial<Observer<SkippedUtterance>>;
  /** stop at an utterance whose audio cannot be read instead of skipping it */
  readonly strict?: boolean;
  /** read the alignments from this file instead of the corpus's alignments.txt (same format, line for line with the manifest); `none`: read none (recognition) */
  readonly alignments?: string | 'none';
}

/** A manifest entry with its alignment. */
export interface CorpusEntry {
  readonly utterance: Utterance;
  readonly alignment: Int32Array;
}

/**
 * Manifest lines and alignment lines, consumed side by side: alignments.txt
 * holds one line per manifest line, in the same order (as `lstmp synth` and
 * `lstmp import-kaldi` write them). Each entry pulls one line of each, so
 * memory stays bounded whatever the corpus size. `names` are for messages.
 */
export async function* pairEntries(
  manifest: AsyncIterable<string>,
  alignments: AsyncIterable<string>,
  names: { readonly manifest: string; readonly alignments: string },
): AsyncGenerator<CorpusEntry> {
  const alignmentLines = alignments[Symbol.asyncIterator]();
  let alignmentLine = 0;
  let manifestLine = 0;
  // A blank manifest line since the last entry: where an utterance may have been left out.
  let blank: number | null = null;
  for await (const line of manifest) {
    manifestLine++;
    if (line.trim() === '') {
      blank ??= manifestLine;
      continue;
    }
    const utterance = decodeManifestLine(line);
    if (E.isLeft(utterance)) fail(`${names.manifest} line ${manifestLine}: ${utterance.left}`);
    let entry: { id: string; states: Int32Array } | null = null;
    while (entry === null) {
      const next = await alignmentLines.next();
      if (next.done) fail(`${names.alignments}: no alignment for "${utterance.right.id}" (manifest line ${manifestLine})`);
      alignmentLine++;
      if (next.value.trim() === '') continue;
      const parsed = parseAlignmentLine(next.value);
      if (E.isLeft(parsed)) fail(`${names.alignments} line ${alignmentLine}: ${parsed.left}`);
      entry = parsed.right;
    }
    if (entry.id !== utterance.right.id) {
      if (blank !== null) fail(`${names.manifest} line ${blank} is blank where ${names.alignments} line ${alignmentLine} has "${entry.id}": an utterance left out of the manifest must leave the alignments too`);
      fail(`${names.alignments} line ${alignmentLine} is for "${entry.id}" but ${names.manifest} line ${manifestLine} is "${utterance.right.id}": they must be in the same order`);
    }
    blank = null;
    yield { utterance: utterance.right, alignment: entry.states };
  }
}

/**
 * A corpus directory's manifest entries with their alignments
 * (alignments.txt, or the file `alignments`), read lazily; with `none`, the
 * entries alone, each with an empty alignment (a corpus that has none yet
 * can still be recognised).
 */
export function corpusEntries(dir: string, alignments?: string | 'none'): AsyncGenerator<CorpusEntry> {
  const manifest = join(dir, 'manifest.jsonl');
  if (alignments === 'none') return manifestEntries(manifest);
  const names = { manifest, alignments: alignments ?? join(dir, 'alignments.txt') };
  return pairEntries(readLines(names.manifest), readLines(names.alignments), names);
}

async function* manifestEntries(path: string): AsyncGenerator<CorpusEntry> {
  let lineNumber = 0;
  for await (const line of readLines(path)) {
    lineNumber++;
    if (line.trim() === '') continue;
    const utterance = decodeManifestLine(line);
    if (E.isLeft(utterance)) fail(`${path} line ${lineNumber}: ${utterance.left}`);
    yield { utterance: utterance.right, alignment: new Int32Array(0) };
  }
}

/** Entries in a random order, through a buffer of `size` (the bound on memory). */
export async function* shuffled<T>(source: AsyncIterable<T>, size: number, seed: number): AsyncGenerator<T> {
  const random = mulberry32(seed);
  const buffer: T[] = [];
  for await (const item of source) {
    if (buffer.length < size) {
      buffer.push(item);
      continue;
    }
    const pick = Math.floor(random() * size);
    yield buffer[pick];
    buffer[pick] = item;
  }
  while (buffer.length > 0) {
    const pick = Math.floor(random() * buffer.length);
    yield buffer[pick];
    buffer[pick] = buffer[buffer.length - 1];
    buffer.pop();
  }
}

async function* selected(dir: string, query: CorpusQuery): AsyncGenerator<CorpusEntry> {
  let index = 0;
  for await (const entry of corpusEntries(dir, query.alignments)) {
    if (query.split !== 'all' && entry.utterance.split !== query.split) continue;
    const mine = !query.shard || index % query.shard.count === query.shard.index;
    index++;
    if (mine) yield entry;
  }
}

async function* withAudio(dir: string, query: CorpusQuery): AsyncGenerator<AudioUtterance> {
  const entries = query.shuffle ? shuffled(selected(dir, query), query.shuffle.buffer, query.shuffle.seed) : selected(dir, query);
  let count = 0;
  for await (const { utterance, alignment } of entries) {
    if (query.limit !== undefined && count >= query.limit) return;
    count++;
    const source = resolve(dir, utterance.wav);
    try {
      yield { id: utterance.id, source, wav: await readFile(source), alignment, words: utterance.words };
    } catch (error) {
      const reason = `${source}: ${fileProblem(error)}`;
      if (query.strict) fail(`utterance ${utterance.id}: ${reason}`);
      query.skipped?.next?.({ id: utterance.id, reason });
    }
  }
}

/**
 * A corpus split as a lazy stream of utterances with their audio and
 * alignments (lstmp's corpus layout: manifest.jsonl, alignments.txt, the WAVs,
 * whose paths are relative to the corpus directory or absolute).
 * Files are read one utterance at a time as the stream is consumed, so memory
 * holds at most the shuffle buffer's manifest entries and one utterance's audio.
 *
 * @example
 * utterances('corpora/synthdigits', { split: 'train', shuffle: { seed: 1, buffer: 1000 } }).pipe(features(...))
 */
export function utterances(dir: string, query: CorpusQuery): Observable<AudioUtterance> {
  return from(withAudio(dir, query));
}

/** The names of the corpus's HMM states (states.txt): the network's outputs, in order. */
export function corpusStates(dir: string): string[] {
  const path = join(dir, 'states.txt');
  return orFail(parseStateNames(readText(path)), path);
}

/** The frames (with a target) of a split, from its manifest: what one epoch trains on. */
export async function splitFrames(dir: string, split: Split): Promise<number> {
  let frames = 0;
  for await (const { utterance } of corpusEntries(dir, 'none')) if (utterance.split === split) frames += utterance.frames;
  return frames;
}
