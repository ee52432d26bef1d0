import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { InputError, fail, orFail } from '../../errors.js';
import { formatAlignmentLine, parseAlignments } from '../../model/corpus/alignment.js';
import { fitAlignment, parseSegments, parseText, parseUtt2spk, parseWavScp, segmentSamples, type Segment } from '../../model/corpus/kaldi-data.js';
import { decodeManifest, encodeManifest, type Split, type Utterance } from '../../model/corpus/manifest.js';
import { SILENCE, STATES_PER_PHONE, parseStateNames, stateInventory } from '../../model/corpus/states.js';
import { parseCmudict } from '../../model/corpus/cmudict.js';
import { DIGIT_LEXICON } from '../../model/corpus/digits.js';
import { formatLexicon, lexicon, parseLexicon, pronunciationsByWord, type Lexicon } from '../../model/corpus/lexicon.js';
import { parseTranscripts } from '../../model/corpus/transcripts.js';
import { defaultFbankOptions, frameCount } from '../../ops/dsp/fbank.js';
import { decodeWav, encodeWav, type Audio } from '../../ops/codecs/wav.js';
import { makeDirectory, readBytes, readJsonObject, readText, writeAtomic } from '../io/files.js';

/**
 * What to import into the corpus directory `out`: a Kaldi data directory
 * (wav.scp, text, utt2spk, optional segments) or a plain folder of WAV files
 * with a transcripts.tsv; with its frame alignments and their state names,
 * or without, its words then spelled by a lexicon (CMUdict's format;
 * without one, lstmp's built-in digits) for flat-start training.
 */
export interface KaldiImportOptions {
  readonly dataDir: string;
  /** `utt-id s1 s2 …` per line (ali-to-pdf … ark,t:-); with `states` */
  readonly alignments?: string;
  /** state names, one per line; alignment states index them */
  readonly states?: string;
  /** without alignments: a pronunciation dictionary in CMUdict's format (default: the digit words) */
  readonly lexicon?: string;
  readonly out: string;
  readonly split: Split;
  /** the most frames an alignment may be off the audio's frame count and still be fitted to it */
  readonly tolerance: number;
}

/** Why an utterance was left out, in the order they are checked. */
export const LEFT_OUT_REASONS = ['no audio', 'no text', 'no speaker', 'no alignment', 'unreadable audio', 'alignment too far off', 'too short for its transcript'] as const;
export type LeftOutReason = (typeof LEFT_OUT_REASONS)[number];

/** An utterance of the data directory that is not in the corpus, and why. */
export interface LeftOut {
  readonly id: string;
  readonly reason: LeftOutReason;
  readonly detail: string;
}

/** An utterance whose alignment was trimmed or padded to fit its audio. */
export interface Adjusted {
  readonly id: string;
  readonly detail: string;
}

export interface KaldiImportResult {
  readonly imported: number;
  /** feature frames of the utterances imported */
  readonly frames: number;
  readonly adjusted: readonly Adjusted[];
  readonly leftOut: readonly LeftOut[];
}

/** How far an import has got, after each utterance of the data directory. */
export interface KaldiImportStep {
  /** utterances looked at so far, of `total` */
  readonly done: number;
  readonly total: number;
  /** the utterance just looked at, if it was left out */
  readonly leftOut?: LeftOut;
}

/** One import as corpus.json records it. */
export interface ImportRecord {
  readonly dataDir: string;
  /** the alignments imported, or null: the utterances wait for a flat start, spelled by `lexicon` */
  readonly alignments: string | null;
  /** the CMUdict file the words were spelled from, `digits` for the built-in one, null with alignments */
  readonly lexicon: string | null;
  readonly split: Split;
  readonly tolerance: number;
  readonly imported: number;
  readonly adjusted: number;
  readonly leftOut: Partial<Record<LeftOutReason, number>>;
}

/** How many were left out for each reason (reasons with none omitted), in {@link LEFT_OUT_REASONS} order. */
export function countByReason(leftOut: readonly LeftOut[]): Partial<Record<LeftOutReason, number>> {
  const counts: Partial<Record<LeftOutReason, number>> = {};
  for (const reason of LEFT_OUT_REASONS) {
    const n = leftOut.filter((u) => u.reason === reason).length;
    if (n > 0) counts[reason] = n;
  }
  return counts;
}

/** `left out <id>: <reason> (<detail>)` */
export function leftOutLine({ id, reason, detail }: LeftOut): string {
  return `left out ${id}: ${reason} (${detail})`;
}

/** One {@link leftOutLine} per utterance left out. */
export function leftOutLines(result: KaldiImportResult): string[] {
  return result.leftOut.map(leftOutLine);
}

/**
 * Imports a Kaldi data directory (wav.scp, text, utt2spk, optional segments)
 * with its frame alignments into lstmp's corpus layout in `options.out`:
 * manifest.jsonl, alignments.txt (line for line with the manifest),
 * states.txt, corpus.json, import-report.txt and, for segments, the cut-out
 * audio as wav/<id>.wav. Whole WAV files are not copied: the manifest names
 * them by absolute path (relative paths in wav.scp are taken from the
 * current directory, as Kaldi takes them).
 *
 * A corpus already in `out` is appended to: its states must be the same and
 * no utterance id may repeat. Malformed input files fail with their name and
 * line before anything is written; utterances that cannot be imported are
 * left out and returned with the reason. Every file is written atomically.
 * `onStep` hears of each utterance as it is looked at (for a progress bar);
 * the input files have all been checked by then.
 *
 * @example importKaldi({ dataDir: 'data/train', alignments: 'ali.txt', states: 'states.txt', out: 'corpora/mine', split: 'train', tolerance: 2 }, ({ done, total }) => bar.update(done))
 */
export function importKaldi(options: KaldiImportOptions, onStep: (step: KaldiImportStep) => void = () => {}): KaldiImportResult {
  if ((options.alignments === undefined) !== (options.states === undefined)) fail('--alignments and --states go together');
  if (options.alignments !== undefined && options.lexicon !== undefined) fail('--lexicon is for an import without alignments: its words are spelled by the alignments\' states');
  const { wavScp, segments, text, speakers, names } = sourceTables(options.dataDir);
  const labels = options.alignments !== undefined && options.states !== undefined ? alignedLabels(options.alignments, options.states) : lexiconLabels(options, text, names.text);
  const corpus = existingCorpus(options.out, labels);
  const { alignments } = labels;
  // An import spelled by a lexicon adds its words to the corpus's: the states are those of every phone they use.
  const mergedLexicon = labels.lexicon && lexicon([...corpus.lexicon, ...labels.lexicon]);
  const stateNames = mergedLexicon ? stateInventory([SILENCE, ...mergedLexicon.flatMap((p) => p.phones)]).names : labels.stateNames;

  // The data directory's utterances; an alignments file may hold more (of other data directories), which are not its business.
  const ids = [...new Set([...(segments ?? wavScp).keys(), ...text.keys(), ...speakers.keys()])];
  const taken = new Set(corpus.manifest.map((u) => u.id));
  const repeated = ids.find((id) => taken.has(id));
  if (repeated !== undefined) {
    fail(`${join(options.out, 'manifest.jsonl')}: already holds the utterance "${repeated}" (of an earlier import?); ids must be unique across a corpus`);
  }
  makeDirectory(options.out);
  if (segments) makeDirectory(join(options.out, 'wav'));

  const imported: Utterance[] = [];
  const alignmentLines: string[] = [];
  const adjusted: Adjusted[] = [];
  const leftOut: LeftOut[] = [];
  const load = lastAudio();
  const importOne = (id: string): E.Either<Omit<LeftOut, 'id'>, void> => {
    const leave = (reason: LeftOutReason, detail: string): E.Either<Omit<LeftOut, 'id'>, void> => E.left({ reason, detail });
    const segment = segments?.get(id);
    const wav = segments ? segment && wavScp.get(segment.recording) : wavScp.get(id);
    const words = labels.lexicon ? text.get(id)?.map((word) => word.toLowerCase()) : text.get(id);
    const speaker = speakers.get(id);
    const states = alignments?.get(id);
    if (wav === undefined) {
      return leave('no audio', !segments ? names.noAudio(id) : segment ? `its recording "${segment.recording}" is not in ${names.audio}` : `not in ${join(options.dataDir, 'segments')}`);
    }
    if (words === undefined) return leave('no text', `not in ${names.text}`);
    if (speaker === undefined) return leave('no speaker', `not in ${join(options.dataDir, 'utt2spk')}`);
    if (alignments && states === undefined) return leave('no alignment', `not in ${options.alignments}`);
    const recording = load(resolve(wav));
    if (E.isLeft(recording)) return leave('unreadable audio', recording.left);
    const audio = segment ? cut(recording.right, segment) : recording;
    if (E.isLeft(audio)) return leave('no audio', audio.left);
    const frames = featureFrames(audio.right);
    let line: string | null = null;
    if (states) {
      const fitted = fitAlignment(states, frames, options.tolerance);
      if (E.isLeft(fitted)) return leave('alignment too far off', fitted.left);
      if (fitted.right !== states) {
        adjusted.push({ id, detail: `the alignment had ${states.length} frames, the audio ${frames}: ${states.length > frames ? 'trimmed' : 'padded with its last state'}` });
      }
      line = `${formatAlignmentLine(id, fitted.right)}\n`;
    } else if (labels.lexicon) {
      // Flat start spreads the transcript's states over the frames: an utterance must have at least one frame per state.
      const needed = labels.statesNeeded(words);
      if (frames < needed) return leave('too short for its transcript', `${frames} frames for ${needed} states`);
    }
    let path = resolve(wav);
    if (segment) {
      path = segmentWavPath(id);
      writeAtomic(join(options.out, path), encodeWav(audio.right.samples, audio.right.sampleRate));
    }
    imported.push({ id, wav: path, words, speaker, split: options.split, frames });
    if (line) alignmentLines.push(line);
    return E.right(undefined);
  };
  ids.forEach((id, i) => {
    const outcome = importOne(id);
    const left = E.isLeft(outcome) ? { id, ...outcome.left } : undefined;
    if (left) leftOut.push(left);
    onStep({ done: i + 1, total: ids.length, leftOut: left });
  });

  const result: KaldiImportResult = { imported: imported.length, frames: imported.reduce((n, u) => n + u.frames, 0), adjusted, leftOut };
  const record: ImportRecord = {
    dataDir: resolve(options.dataDir),
    alignments: options.alignments === undefined ? null : resolve(options.alignments),
    lexicon: options.alignments !== undefined ? null : options.lexicon === undefined ? 'digits' : resolve(options.lexicon),
    split: options.split,
    tolerance: options.tolerance,
    imported: result.imported,
    adjusted: adjusted.length,
    leftOut: countByReason(leftOut),
  };
  const manifest = [...corpus.manifest, ...imported];
  // Alignments before the manifest: a crash in between leaves extra alignment lines, which readers ignore and the next import drops.
  writeAtomic(join(options.out, 'states.txt'), stateNames.map((name) => `${name}\n`).join(''));
  if (mergedLexicon) writeAtomic(join(options.out, 'lexicon.txt'), formatLexicon(mergedLexicon));
  else writeAtomic(join(options.out, 'alignments.txt'), [...corpus.alignmentLines, ...alignmentLines].join(''));
  writeAtomic(join(options.out, 'manifest.jsonl'), encodeManifest(manifest));
  writeAtomic(join(options.out, 'corpus.json'), `${JSON.stringify(corpusInfo(corpus.info, manifest, stateNames.length, record), null, 2)}\n`);
  writeAtomic(join(options.out, 'import-report.txt'), `${corpus.report}${reportSection(options, result)}`);
  return result;
}

/** A corpus directory's contents that an import keeps. */
interface ExistingCorpus {
  readonly manifest: readonly Utterance[];
  readonly alignmentLines: readonly string[];
  /** its lexicon.txt (an import spelled by a lexicon merges with it) */
  readonly lexicon: Lexicon;
  readonly info: Record<string, unknown>;
  readonly report: string;
}

/**
 * The corpus in `dir`, if any (an empty one otherwise). A corpus with
 * alignments takes only imports with alignments, of the same states; one
 * without (spelled by a lexicon, for a flat start) only imports without.
 * Its alignment lines are checked against the manifest's ids and any beyond
 * the manifest's end (a crashed import's) are dropped.
 */
function existingCorpus(dir: string, labels: Labels): ExistingCorpus {
  const manifestPath = join(dir, 'manifest.jsonl');
  if (!existsSync(manifestPath)) return { manifest: [], alignmentLines: [], lexicon: [], info: {}, report: '' };
  const alignmentsPath = join(dir, 'alignments.txt');
  const aligned = existsSync(alignmentsPath);
  if (aligned && !labels.alignments) fail(`${alignmentsPath}: the corpus has alignments and this import has none: align it first (lstmp align), or import into a corpus of its own`);
  if (!aligned && labels.alignments) fail(`${dir}: the corpus has no alignments (it was imported for a flat start) and this import has some: import it without them, or into a corpus of its own`);
  const manifest = orFail(decodeManifest(readText(manifestPath)), manifestPath);
  const infoPath = join(dir, 'corpus.json');
  const reportPath = join(dir, 'import-report.txt');
  const info = existsSync(infoPath) ? readJsonObject(infoPath) : {};
  const report = existsSync(reportPath) ? readText(reportPath) : '';
  if (!aligned) {
    const lexiconPath = join(dir, 'lexicon.txt');
    return { manifest, alignmentLines: [], lexicon: orFail(parseLexicon(readText(lexiconPath)), lexiconPath), info, report };
  }
  const statesPath = join(dir, 'states.txt');
  const states = orFail(parseStateNames(readText(statesPath)), statesPath);
  if (states.length !== labels.stateNames.length || states.some((name, i) => name !== labels.stateNames[i])) {
    fail(`${statesPath}: the corpus has other states than the ones given; every import into one corpus needs the same states.txt`);
  }
  const alignmentLines = readText(alignmentsPath)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => `${line.trim()}\n`);
  if (alignmentLines.length < manifest.length) fail(`${alignmentsPath}: ${alignmentLines.length} alignments for ${manifest.length} utterances in ${manifestPath}`);
  manifest.forEach((utterance, i) => {
    const id = alignmentLines[i].split(/\s/, 1)[0];
    if (id !== utterance.id) fail(`${alignmentsPath}: alignment ${i + 1} is for "${id}" but utterance ${i + 1} of ${manifestPath} is "${utterance.id}"`);
  });
  return { manifest, alignmentLines: alignmentLines.slice(0, manifest.length), lexicon: [], info, report };
}

/** corpus.json: what was there before, the counts of the whole corpus, and every import so far. */
function corpusInfo(previous: Record<string, unknown>, manifest: readonly Utterance[], states: number, record: ImportRecord): Record<string, unknown> {
  const perSplit = (count: (u: Utterance) => number): Record<Split, number> => {
    const totals: Record<Split, number> = { train: 0, dev: 0, test: 0 };
    for (const u of manifest) totals[u.split] += count(u);
    return totals;
  };
  const imports = Array.isArray(previous.imports) ? previous.imports : [];
  return { ...previous, states, utterances: perSplit(() => 1), frames: perSplit((u) => u.frames), imports: [...imports, record] };
}

function reportSection(options: KaldiImportOptions, result: KaldiImportResult): string {
  const header = `import ${resolve(options.dataDir)} as ${options.split}: imported ${result.imported}, adjusted ${result.adjusted.length}, left out ${result.leftOut.length}`;
  const lines = [header, ...result.adjusted.map(({ id, detail }) => `adjusted ${id}: ${detail}`), ...leftOutLines(result)];
  return `${lines.join('\n')}\n\n`;
}

/**
 * How many feature frames training will make of this audio: the features
 * stage resamples to 16 kHz, making ⌈n·16000/rate⌉ samples (see resample),
 * then frames them.
 */
function featureFrames(audio: Audio): number {
  const rate = defaultFbankOptions.sampleRate;
  const samples = audio.sampleRate === rate ? audio.samples.length : Math.ceil((audio.samples.length * rate) / audio.sampleRate);
  return frameCount(samples);
}

/** A segment's audio cut out of its recording's, at the recording's rate. */
function cut(recording: Audio, segment: Segment): E.Either<string, Audio> {
  return pipe(
    segmentSamples(segment, recording.sampleRate, recording.samples.length),
    E.map(({ start, end }) => ({ ...recording, samples: recording.samples.subarray(start, end) })),
  );
}

/**
 * A reader of decoded WAV files that keeps the last one, so the segments of
 * one recording (consecutive in a sorted segments file) decode it once.
 */
function lastAudio(): (path: string) => E.Either<string, Audio> {
  let last: { path: string; audio: E.Either<string, Audio> } | undefined;
  return (path) => {
    if (last?.path !== path) last = { path, audio: readWav(path) };
    return last.audio;
  };
}

function readWav(path: string): E.Either<string, Audio> {
  let bytes: Uint8Array;
  try {
    bytes = readBytes(path);
  } catch (error) {
    if (error instanceof InputError) return E.left(error.message);
    throw error;
  }
  return pipe(
    decodeWav(bytes),
    E.mapLeft((reason) => `${path}: ${reason}`),
  );
}

/** Where a cut-out segment goes, relative to the corpus: its id made safe as a file name (`/` and the like escaped). */
function segmentWavPath(id: string): string {
  return `wav/${encodeURIComponent(id)}.wav`;
}

/** The tables an import reads, and what to call their files in messages. */
interface SourceTables {
  readonly wavScp: Map<string, string>;
  readonly segments?: Map<string, Segment>;
  readonly text: Map<string, string[]>;
  readonly speakers: Map<string, string>;
  readonly names: { readonly audio: string; readonly text: string; readonly noAudio: (id: string) => string };
}

/** The audio files a plain folder holds: its WAV files, by name without the extension. */
const WAV_FILE = /\.wav$/i;

/**
 * A Kaldi data directory's tables, or a plain folder's: transcripts.tsv
 * (`<file>\t<words>`) and the WAV files beside it, each utterance named by
 * its file name without `.wav` and spoken by the folder's one speaker (its
 * name). A WAV without a transcript line and a line without its WAV are
 * both reported by the import.
 */
function sourceTables(dataDir: string): SourceTables {
  const table = <T>(name: string, parse: (text: string) => E.Either<string, T>): T => {
    const path = join(dataDir, name);
    return orFail(parse(readText(path)), path);
  };
  if (existsSync(join(dataDir, 'wav.scp')) || !existsSync(join(dataDir, 'transcripts.tsv'))) {
    return {
      wavScp: table('wav.scp', parseWavScp),
      ...(existsSync(join(dataDir, 'segments')) && { segments: table('segments', parseSegments) }),
      text: table('text', parseText),
      speakers: table('utt2spk', parseUtt2spk),
      names: { audio: join(dataDir, 'wav.scp'), text: join(dataDir, 'text'), noAudio: () => `not in ${join(dataDir, 'wav.scp')}` },
    };
  }
  const transcripts = table('transcripts.tsv', parseTranscripts);
  const id = (file: string) => basename(file).replace(WAV_FILE, '');
  const wavScp = new Map<string, string>();
  const text = new Map<string, string[]>();
  const byId = new Map<string, string>();
  const claim = (file: string) => {
    const other = byId.get(id(file));
    if (other !== undefined && other !== file) fail(`${join(dataDir, 'transcripts.tsv')}: "${other}" and "${file}" would both be utterance "${id(file)}"`);
    byId.set(id(file), file);
  };
  const files = new Map<string, string>();
  for (const [file, words] of transcripts) {
    claim(file);
    files.set(id(file), file);
    text.set(id(file), words);
    if (existsSync(join(dataDir, file))) wavScp.set(id(file), join(dataDir, file));
  }
  for (const file of readdirSync(dataDir).filter((name) => WAV_FILE.test(name))) {
    claim(file);
    wavScp.set(id(file), join(dataDir, file));
  }
  const speaker = basename(resolve(dataDir));
  return {
    wavScp,
    text,
    speakers: new Map([...byId.keys()].map((utterance) => [utterance, speaker])),
    names: { audio: `${dataDir} (its WAV files)`, text: join(dataDir, 'transcripts.tsv'), noAudio: (utterance) => `${join(dataDir, files.get(utterance) ?? `${utterance}.wav`)} does not exist` },
  };
}

/** How an import labels frames: states and alignments given, or a lexicon that spells the transcripts (flat start). */
interface Labels {
  readonly stateNames: readonly string[];
  readonly alignments?: Map<string, Int32Array>;
  /** the pronunciations of the words the import's transcripts use */
  readonly lexicon?: Lexicon;
  /** the states of a transcript said with each word's first pronunciation, between silences */
  readonly statesNeeded: (words: readonly string[]) => number;
}

function alignedLabels(alignmentsPath: string, statesPath: string): Labels {
  const stateNames = orFail(parseStateNames(readText(statesPath)), statesPath);
  const alignments = orFail(parseAlignments(readText(alignmentsPath), stateNames.length), alignmentsPath);
  return { stateNames, alignments, statesNeeded: () => 0 };
}

/**
 * Labels from a lexicon: the CMUdict file given, or the built-in digits;
 * the states are those of its phones (silence first). Every word of every
 * transcript must be in it: the words that are not are named, each with the
 * utterances that say it, and nothing is written.
 */
function lexiconLabels(options: KaldiImportOptions, text: Map<string, string[]>, textName: string): Labels {
  const full = options.lexicon === undefined ? DIGIT_LEXICON : orFail(parseCmudict(readText(options.lexicon)), options.lexicon);
  const byWord = pronunciationsByWord(full);
  const unknown = new Map<string, string[]>();
  for (const [id, words] of text) {
    for (const word of words.map((w) => w.toLowerCase())) if (!byWord.has(word)) unknown.set(word, [...(unknown.get(word) ?? []), id]);
  }
  if (unknown.size > 0) {
    const listed = [...unknown].map(([word, ids]) => `"${word}" (${ids.slice(0, 3).join(', ')}${ids.length > 3 ? `, … ${ids.length} utterances` : ''})`);
    fail(`${textName}: ${unknown.size} word${unknown.size === 1 ? '' : 's'} not in ${options.lexicon ?? 'the built-in digit lexicon'}: ${listed.join(', ')}; give --lexicon FILE (CMUdict format) that spells them`);
  }
  const used = new Set([...text.values()].flat().map((w) => w.toLowerCase()));
  const entries = full.filter((p) => used.has(p.word));
  const inventory = stateInventory([SILENCE, ...entries.flatMap((p) => p.phones)]);
  return {
    stateNames: inventory.names,
    lexicon: entries,
    // What uniformAlignment needs at the least: the shortest pronunciations between two silences (one for no words).
    statesNeeded: (words) => STATES_PER_PHONE * (words.length === 0 ? 1 : 2 + words.reduce((n, word) => n + Math.min(...(byWord.get(word) ?? [[]]).map((p) => p.length)), 0)),
  };
}
