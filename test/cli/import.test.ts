import * as E from 'fp-ts/lib/Either.js';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatAlignmentLine, parseAlignmentLine } from '../../src/model/corpus/alignment.js';
import { decodeManifest, type Split, type Utterance } from '../../src/model/corpus/manifest.js';
import { frameCount } from '../../src/ops/dsp/fbank.js';
import { mulberry32 } from '../../src/ops/random.js';
import { resample } from '../../src/ops/dsp/resample.js';
import { decodeWav, encodeWav } from '../../src/ops/codecs/wav.js';
import { utterances } from '../../src/streams/corpora/corpus.js';
import { features, type SkippedUtterance } from '../../src/streams/pipeline/features.js';
import { buildCli, refusalNaming, runCli, type CliResult } from '../support/cli.js';

const STATES = 6;
const random = mulberry32(3);
let root: string;
let statesPath: string;

/** A tone of `seconds` at `rate` Hz with a little noise, as 16-bit WAV bytes. */
function tone(seconds: number, rate: number, hz: number): Uint8Array {
  const samples = Float32Array.from({ length: Math.round(seconds * rate) }, (_, i) => 0.3 * Math.sin((2 * Math.PI * hz * i) / rate) + 0.01 * (random() - 0.5));
  return encodeWav(samples, rate);
}

/** The frames training makes of WAV bytes: decode, resample to 16 kHz, frame. */
function framesOf(wav: Uint8Array): number {
  const audio = decodeWav(wav);
  if (E.isLeft(audio)) throw new Error(audio.left);
  const { samples, sampleRate } = audio.right;
  return frameCount(sampleRate === 16000 ? samples.length : resample(samples, sampleRate, 16000).length);
}

const randomStates = (frames: number): Int32Array => Int32Array.from({ length: frames }, () => Math.floor(random() * STATES));

function write(path: string, text: string | Uint8Array): string {
  writeFileSync(path, text);
  return path;
}

/** A Kaldi data directory with its alignments file; `alignments` holds what was written for each utterance. */
interface DataDir {
  dir: string;
  alignmentsPath: string;
  alignments: Map<string, Int32Array>;
}

function dataDir(name: string, files: Record<string, string>, alignments: Map<string, Int32Array>): DataDir {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const [file, text] of Object.entries(files)) write(join(dir, file), text);
  const alignmentsPath = write(join(root, `${name}-ali.txt`), [...alignments].map(([id, states]) => `${formatAlignmentLine(id, states)}\n`).join(''));
  return { dir, alignmentsPath, alignments };
}

/** Alignments fitting each WAV exactly, then `off` frames longer (negative: shorter) for some. */
function alignmentsFor(frames: Record<string, number>, off: Record<string, number> = {}): Map<string, Int32Array> {
  return new Map(Object.entries(frames).map(([id, n]) => [id, randomStates(n + (off[id] ?? 0))]));
}

const importInto = (data: DataDir, out: string, ...more: string[]): Promise<CliResult> =>
  runCli(['import', data.dir, '--alignments', data.alignmentsPath, '--states', statesPath, '--out', out, ...more], root);

/** stderr split into the progress lines (a pipe gets plain ones) and the rest. */
function stderrParts(stderr: string): { progress: string[]; other: string[] } {
  const lines = stderr.split('\n').slice(0, -1);
  const isProgress = (line: string) => line.startsWith('import: ');
  return { progress: lines.filter(isProgress), other: lines.filter((line) => !isProgress(line)) };
}

function readCorpus(out: string): { manifest: Utterance[]; alignments: { id: string; states: Int32Array }[] } {
  const manifest = decodeManifest(readFileSync(join(out, 'manifest.jsonl'), 'utf8'));
  if (E.isLeft(manifest)) throw new Error(manifest.left);
  const alignments = readFileSync(join(out, 'alignments.txt'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => {
      const parsed = parseAlignmentLine(line, STATES);
      if (E.isLeft(parsed) || parsed.right === null) throw new Error(`bad alignment line ${line}`);
      return parsed.right;
    });
  return { manifest: manifest.right, alignments };
}

/** Every utterance of a split as training reads it: through the corpus reader and the features stage, strictly. */
async function trainingView(out: string, split: Split): Promise<{ id: string; frames: number; targets: Int32Array }[]> {
  const skipped: SkippedUtterance[] = [];
  const labelled = await lastValueFrom(utterances(out, { split, skipped: { next: (s) => skipped.push(s) } }).pipe(features({ normalisation: 'none', strict: true }), toArray()));
  expect(skipped).toEqual([]);
  return labelled.map(({ id, frames, targets }) => ({ id, frames, targets }));
}

let plain: DataDir;
let segmented: DataDir;
/** Each segment's source: recording file, rate, and sample range by Kaldi's truncation rule. */
const segmentSources = new Map<string, { file: string; start: number; end: number }>();

beforeAll(() => {
  buildCli();
  root = mkdtempSync(join(tmpdir(), 'lstmp-import-kaldi-'));
  statesPath = write(join(root, 'states.txt'), Array.from({ length: STATES }, (_, k) => `pdf${k}\n`).join(''));

  // Without segments: wav.scp paths relative to the current directory (root), as Kaldi's are, and one absolute.
  mkdirSync(join(root, 'audio'));
  const wavs: Record<string, Uint8Array> = {
    a: tone(0.5, 16000, 440),
    b: tone(0.61, 8000, 300),
    c: tone(0.4, 16000, 500),
    d: tone(0.45, 16000, 600),
    e: tone(0.3, 16000, 700),
    g: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]),
    i: tone(0.3, 16000, 800),
    j: tone(0.3, 16000, 900),
    k: tone(0.3, 16000, 1000),
  };
  for (const [id, bytes] of Object.entries(wavs)) write(join(root, 'audio', `${id}.wav`), bytes);
  const frames = Object.fromEntries(Object.entries(wavs).map(([id, bytes]) => [id, id === 'g' ? 20 : framesOf(bytes)]));
  const ali = alignmentsFor({ ...frames, f: 30, h: 30 }, { c: 1, d: -1, e: 10 });
  ali.delete('k');
  ali.set('z', randomStates(30)); // of another data directory: not listed
  plain = dataDir(
    'plain',
    {
      'wav.scp': `a ${join(root, 'audio', 'a.wav')}\nb audio/b.wav\nc audio/c.wav\nd audio/d.wav\ne audio/e.wav\nf audio/missing.wav\ng audio/g.wav\ni audio/i.wav\nj audio/j.wav\nk audio/k.wav\n`,
      text: 'a ONE TWO\nb THREE\nc FOUR\nd\ne FIVE\nf SIX\ng SEVEN\nh EIGHT\nj NINE\nk TEN\n',
      utt2spk: 'a s1\nb s2\nc s1\nd s1\ne s2\nf s2\ng s1\nh s1\ni s2\nk s1\n',
    },
    ali,
  );

  // With segments: two recordings, one at 8 kHz, cut into utterances.
  const recordings = { r16: { rate: 16000, bytes: tone(2, 16000, 350) }, r8: { rate: 8000, bytes: tone(1.5, 8000, 450) } };
  for (const [id, { bytes }] of Object.entries(recordings)) write(join(root, 'audio', `${id}.wav`), bytes);
  const segments: [string, keyof typeof recordings | 'gone', number, number][] = [
    ['s1', 'r16', 0, 0.62],
    ['s2', 'r16', 0.7, 1.35],
    ['s3', 'r8', 0.1, 0.93],
    ['s4', 'r8', 0.95, -1],
    ['s5', 'gone', 0, 1],
    ['s6', 'r16', 2.6, 3],
  ];
  const segmentFrames: Record<string, number> = {};
  for (const [id, recording, startTime, endTime] of segments) {
    if (recording === 'gone' || startTime > 2) {
      segmentFrames[id] = 40;
      continue;
    }
    const { rate, bytes } = recordings[recording];
    const length = (bytes.length - 44) / 2;
    const start = Math.trunc(startTime * rate);
    const end = endTime === -1 ? length : Math.trunc(endTime * rate);
    segmentSources.set(id, { file: join(root, 'audio', `${recording}.wav`), start, end });
    const samples = (decodeWav(bytes) as E.Right<{ samples: Float32Array }>).right.samples.slice(start, end);
    segmentFrames[id] = framesOf(encodeWav(samples, rate));
  }
  segmented = dataDir(
    'segmented',
    {
      'wav.scp': `r16 audio/r16.wav\nr8 audio/r8.wav\n`,
      segments: segments.map(([id, recording, start, end]) => `${id} ${recording} ${start} ${end}\n`).join(''),
      text: segments.map(([id]) => `${id} WORD${id}\n`).join(''),
      utt2spk: segments.map(([id]) => `${id} spk${id}\n`).join(''),
    },
    alignmentsFor(segmentFrames, { s2: 1 }),
  );
});

describe('lstmp import with alignments', () => {
  it('imports a data directory without segments, leaving out and listing what it cannot use', async () => {
    const out = join(root, 'plain-corpus');
    const result = await importInto(plain, out);
    expect(result.status).toBe(0);
    const leftOut = [
      'left out e: alignment too far off',
      'left out f: unreadable audio',
      'left out g: unreadable audio',
      'left out i: no text',
      'left out j: no speaker',
      'left out k: no alignment',
      'left out h: no audio', // in text, utt2spk and the alignments only, so after every id of wav.scp
    ];
    expect(result.stderr).not.toMatch(/[\x1b\r]/);
    const { progress, other: stderr } = stderrParts(result.stderr);
    expect(progress.at(-1)).toBe('import: 11/11 utterances (100%)  skipped 7');
    expect(progress.length).toBeGreaterThanOrEqual(2); // the first utterance, then the end
    expect(stderr.map((line) => line.replace(/ \(.*\)$/, ''))).toEqual(leftOut);
    expect(stderr[0]).toBe('left out e: alignment too far off (the alignment has 38 frames, the audio 28: 10 apart, more than the tolerance of 2)');
    expect(stderr[1]).toBe(`left out f: unreadable audio (${join(root, 'audio', 'missing.wav')}: no such file)`);
    expect(stderr[2]).toMatch(/^left out g: unreadable audio \(.*g\.wav: not a RIFF\/WAVE file\)$/);
    expect(stderr[6]).toBe(`left out h: no audio (not in ${join(plain.dir, 'wav.scp')})`);
    expect(result.stdout).toBe(
      `imported 4, adjusted 2, left out 7 into ${out} (train)\n` +
        '  no audio: 1\n  no text: 1\n  no speaker: 1\n  no alignment: 1\n  unreadable audio: 2\n  alignment too far off: 1\n' +
        `report: ${join(out, 'import-report.txt')}\n`,
    );
    const report = readFileSync(join(out, 'import-report.txt'), 'utf8');
    expect(report).toContain(`import ${plain.dir} as train: imported 4, adjusted 2, left out 7\n`);
    expect(report).toContain('adjusted c: the alignment had 39 frames, the audio 38: trimmed\n');
    expect(report).toContain('adjusted d: the alignment had 42 frames, the audio 43: padded with its last state\n');
    for (const line of stderr) expect(report).toContain(`${line}\n`);

    const { manifest, alignments } = readCorpus(out);
    expect(manifest.map((u) => u.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(alignments.map((a) => a.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(manifest[0]).toEqual({ id: 'a', wav: join(root, 'audio', 'a.wav'), words: ['ONE', 'TWO'], speaker: 's1', split: 'train', frames: 48 });
    expect(manifest[3].words).toEqual([]);
    manifest.forEach((u, i) => {
      expect(u.wav).toBe(join(root, 'audio', `${u.id}.wav`));
      expect(alignments[i].states.length).toBe(u.frames);
      expect(u.frames).toBe(framesOf(readFileSync(u.wav)));
    });
    expect(manifest[1].frames).toBe(59); // 0.61 s at 8 kHz, resampled to 9760 samples
    const given = (id: string) => Array.from(plain.alignments.get(id) as Int32Array);
    expect(Array.from(alignments[0].states)).toEqual(given('a'));
    expect(Array.from(alignments[2].states)).toEqual(given('c').slice(0, -1));
    expect(Array.from(alignments[3].states)).toEqual([...given('d'), given('d').at(-1)]);

    expect(readFileSync(join(out, 'states.txt'), 'utf8')).toBe(readFileSync(statesPath, 'utf8'));
    const info = JSON.parse(readFileSync(join(out, 'corpus.json'), 'utf8'));
    expect(info).toMatchObject({ states: STATES, utterances: { train: 4, dev: 0, test: 0 }, frames: { train: manifest.reduce((n, u) => n + u.frames, 0) } });
    expect(info.imports).toEqual([
      {
        dataDir: plain.dir,
        alignments: plain.alignmentsPath,
        lexicon: null,
        split: 'train',
        tolerance: 2,
        imported: 4,
        adjusted: 2,
        leftOut: { 'no audio': 1, 'no text': 1, 'no speaker': 1, 'no alignment': 1, 'unreadable audio': 2, 'alignment too far off': 1 },
      },
    ]);

    const seen = await trainingView(out, 'train');
    expect(seen.map((u) => u.id)).toEqual(['a', 'b', 'c', 'd']);
    seen.forEach((u, i) => expect(u.targets).toEqual(alignments[i].states));
  });

  it('cuts segments out of their recordings as 16-bit WAVs, at the recording rate', async () => {
    const out = join(root, 'segmented-corpus');
    const result = await importInto(segmented, out, '--split', 'test', '--tolerance', '1');
    expect(result.status).toBe(0);
    const { progress, other } = stderrParts(result.stderr);
    expect([progress[0], progress.at(-1)]).toEqual(['import: 1/6 utterances (16%)  skipped 0', 'import: 6/6 utterances (100%)  skipped 2']);
    expect(other).toEqual([
      `left out s5: no audio (its recording "gone" is not in ${join(segmented.dir, 'wav.scp')})`,
      'left out s6: no audio (the segment starts at 2.6 s, the recording "r16" lasts 2 s)',
    ]);
    expect(result.stdout.split('\n')[0]).toBe(`imported 4, adjusted 1, left out 2 into ${out} (test)`);
    const { manifest, alignments } = readCorpus(out);
    expect(manifest.map((u) => [u.id, u.wav, u.speaker, u.words, u.split])).toEqual(
      ['s1', 's2', 's3', 's4'].map((id) => [id, `wav/${id}.wav`, `spk${id}`, [`WORD${id}`], 'test']),
    );
    manifest.forEach((u, i) => {
      const { file, start, end } = segmentSources.get(u.id) as { file: string; start: number; end: number };
      const source = decodeWav(readFileSync(file)) as E.Right<{ samples: Float32Array; sampleRate: number }>;
      const written = readFileSync(join(out, u.wav));
      const cut = decodeWav(written) as E.Right<{ samples: Float32Array; sampleRate: number }>;
      expect(cut.right.sampleRate).toBe(source.right.sampleRate);
      expect(cut.right.samples).toEqual(source.right.samples.slice(start, end));
      expect(u.frames).toBe(framesOf(written));
      // The alignment given for the segment, trimmed to its audio's frames (s2 had one too many).
      const given = segmented.alignments.get(u.id) as Int32Array;
      expect(given.length - u.frames).toBe(u.id === 's2' ? 1 : 0);
      expect(alignments[i]).toEqual({ id: u.id, states: given.slice(0, u.frames) });
    });
    expect(readFileSync(join(out, 'import-report.txt'), 'utf8')).toContain(`adjusted s2: the alignment had ${manifest[1].frames + 1} frames, the audio ${manifest[1].frames}: trimmed`);
    expect((await trainingView(out, 'test')).map((u) => u.id)).toEqual(['s1', 's2', 's3', 's4']);
    expect(await trainingView(out, 'train')).toEqual([]);
  });

  it('prints one JSON line with --json, and nothing with --quiet, writing the same corpus', async () => {
    const json = await importInto(segmented, join(root, 'json-corpus'), '--split', 'dev', '--tolerance', '1', '--json');
    expect(json.status).toBe(0);
    expect(json.stderr).toBe('');
    expect(json.stdout.endsWith('\n') && json.stdout.split('\n').length).toBe(2);
    const summary = JSON.parse(json.stdout);
    const { manifest } = readCorpus(join(root, 'json-corpus'));
    expect(summary).toEqual({
      utterances: 4,
      adjusted: 1,
      skipped: 2,
      frames: manifest.reduce((n, u) => n + u.frames, 0),
      seconds: expect.any(Number),
      split: 'dev',
      out: join(root, 'json-corpus'),
    });
    expect(summary.seconds).toBeGreaterThan(0);

    const quiet = await importInto(segmented, join(root, 'quiet-corpus'), '--split', 'dev', '--tolerance', '1', '--quiet');
    expect(quiet).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(readCorpus(join(root, 'quiet-corpus'))).toEqual(readCorpus(join(root, 'json-corpus')));
  });

  it('appends a dev import to a train import, refusing a repeated id or other states', async () => {
    const out = join(root, 'both');
    expect((await importInto(plain, out)).status).toBe(0);
    const dev = await importInto(segmented, out, '--split', 'dev');
    expect(dev.status).toBe(0);
    expect(dev.stdout.split('\n')[0]).toBe(`imported 4, adjusted 1, left out 2 into ${out} (dev)`);
    const { manifest, alignments } = readCorpus(out);
    expect(manifest.map((u) => `${u.id}:${u.split}`)).toEqual(['a:train', 'b:train', 'c:train', 'd:train', 's1:dev', 's2:dev', 's3:dev', 's4:dev']);
    expect(alignments.map((a) => a.id)).toEqual(manifest.map((u) => u.id));
    expect((await trainingView(out, 'train')).map((u) => u.id)).toEqual(['a', 'b', 'c', 'd']);
    expect((await trainingView(out, 'dev')).map((u) => u.id)).toEqual(['s1', 's2', 's3', 's4']);
    const info = JSON.parse(readFileSync(join(out, 'corpus.json'), 'utf8'));
    expect(info.utterances).toEqual({ train: 4, dev: 4, test: 0 });
    expect(info.imports.map((i: { split: string; imported: number }) => [i.split, i.imported])).toEqual([['train', 4], ['dev', 4]]);
    const report = readFileSync(join(out, 'import-report.txt'), 'utf8');
    expect(report.indexOf(`import ${plain.dir} as train`)).toBeLessThan(report.indexOf(`import ${segmented.dir} as dev`));

    const before = ['manifest.jsonl', 'alignments.txt', 'corpus.json', 'import-report.txt'].map((f) => readFileSync(join(out, f), 'utf8'));
    expect(refusalNaming(await importInto(plain, out, '--split', 'test'), join(out, 'manifest.jsonl'))).toBe(
      'already holds the utterance "a" (of an earlier import?); ids must be unique across a corpus',
    );
    const otherStates = write(join(root, 'other-states.txt'), 'sil\nx\ny\nz\nw\nv\n');
    // import-kaldi, the command's earlier name, is still import
    const other = await runCli(['import-kaldi', plain.dir, '--alignments', plain.alignmentsPath, '--states', otherStates, '--out', out], root);
    expect(refusalNaming(other, join(out, 'states.txt'))).toBe('the corpus has other states than the ones given; every import into one corpus needs the same states.txt');
    expect(['manifest.jsonl', 'alignments.txt', 'corpus.json', 'import-report.txt'].map((f) => readFileSync(join(out, f), 'utf8'))).toEqual(before);
  });

  it('refuses a piped wav.scp in one line naming the file and line, and says what to do instead', async () => {
    const piped = dataDir('piped', { 'wav.scp': 'a audio/a.wav\nutt1 sox x.flac -t wav - |\n', text: 'a A\n', utt2spk: 'a s\n' }, new Map());
    const reason = refusalNaming(await importInto(piped, join(root, 'piped-corpus')), join(piped.dir, 'wav.scp'));
    expect(reason).toBe('line 2: "sox x.flac -t wav - |" is a command, and lstmp reads WAV files only: write its output to a file (sox x.flac -t wav - > utt1.wav) and list that file instead');
  });

  it('refuses malformed input files, naming the file and line, before writing anything', async () => {
    const base = { 'wav.scp': 'r audio/r16.wav\n', text: 's A\n', utt2spk: 's x\n' };
    const cases: [string, Record<string, string>, string, string][] = [
      ['few-fields', { ...base, segments: 's r 0\n' }, 'segments', 'line 1: expected "<segment-id> <recording-id> <start> <end>", got 3 fields'],
      ['backwards', { ...base, segments: 's r 0 1\nt r 1.5 1.0\n' }, 'segments', 'line 2: the end 1.0 is not after the start 1.5'],
      ['not-a-time', { ...base, segments: 's r start 1\n' }, 'segments', 'line 1: the start must be a number of seconds ≥ 0, got "start"'],
      ['repeated', { ...base, text: 's A\ns B\n' }, 'text', 'line 2: the id "s" appears twice'],
      ['speakers', { ...base, utt2spk: 's\n' }, 'utt2spk', 'line 1: expected "<utterance-id> <speaker-id>", got 1 field'],
      ['no-text', { 'wav.scp': base['wav.scp'], utt2spk: base.utt2spk }, 'text', 'no such file'],
    ];
    await Promise.all(
      cases.map(async ([name, files, bad, reason]) => {
        const data = dataDir(name, files, new Map());
        const out = join(root, `${name}-corpus`);
        expect(refusalNaming(await importInto(data, out), join(data.dir, bad))).toBe(reason);
        expect(existsSync(out)).toBe(false);
      }),
    );
    const badState = dataDir('bad-state', base, new Map([['s', Int32Array.of(0, 6)]]));
    expect(refusalNaming(await importInto(badState, join(root, 'bad-state-corpus')), badState.alignmentsPath)).toBe('line 1: "s" frame 1: expected a state 0 to 5, got "6"');
  });
});

describe('lstmp import without alignments (for a flat start)', () => {
  /** A folder of recordings with a transcripts.tsv, as a user keeps them. */
  function folder(name: string, transcripts: string, wavs: Record<string, Uint8Array>): string {
    const dir = join(root, name);
    mkdirSync(dir);
    write(join(dir, 'transcripts.tsv'), transcripts);
    for (const [file, bytes] of Object.entries(wavs)) write(join(dir, file), bytes);
    return dir;
  }

  it('imports a folder of WAVs and transcripts.tsv at any rate, spelled by the digit lexicon, naming each utterance it leaves out', async () => {
    const dir = folder('mine', 'a.wav\tone two\nb.wav\tZERO oh\nmissing.wav\tfour\nbroken.wav\tfive\nshort.wav\tone two three four five six\n', {
      'a.wav': tone(0.6, 16000, 440),
      'b.wav': tone(0.7, 8000, 300),
      'broken.wav': Uint8Array.from([82, 73, 70, 70, 1, 2, 3]),
      'short.wav': tone(0.1, 16000, 500),
      'orphan.wav': tone(0.4, 16000, 600),
    });
    const out = join(root, 'mine-corpus');
    const result = await runCli(['import', dir, '--out', out], root);
    expect(result.status).toBe(0);
    const { other } = stderrParts(result.stderr);
    // in the order met: the lines with a WAV, the WAVs without a line, the lines without a WAV
    expect(other).toEqual([
      `left out broken: unreadable audio (${join(dir, 'broken.wav')}: truncated header)`,
      'left out short: too short for its transcript (8 frames for 60 states)',
      `left out orphan: no text (not in ${join(dir, 'transcripts.tsv')})`,
      `left out missing: no audio (${join(dir, 'missing.wav')} does not exist)`,
    ]);
    expect(result.stdout.split('\n')[0]).toBe(`imported 2, adjusted 0, left out 4 into ${out} (train)`);

    const manifest = decodeManifest(readFileSync(join(out, 'manifest.jsonl'), 'utf8'));
    if (E.isLeft(manifest)) throw new Error(manifest.left);
    expect(manifest.right.map((u) => [u.id, u.words, u.speaker, u.frames])).toEqual([
      ['a', ['one', 'two'], 'mine', 58],
      ['b', ['zero', 'oh'], 'mine', 68],
    ]);
    // no alignments: the words are spelled by a lexicon of the words the transcripts use, in the phones they use
    expect(existsSync(join(out, 'alignments.txt'))).toBe(false);
    const spelled = readFileSync(join(out, 'lexicon.txt'), 'utf8').trim().split('\n');
    expect(spelled).toContain('zero z ih r ow');
    expect(spelled).toContain('zero z iy r ow');
    expect(new Set(spelled.map((line) => line.split(' ')[0]))).toEqual(new Set(['one', 'two', 'three', 'four', 'five', 'six', 'zero', 'oh']));
    expect(readFileSync(join(out, 'states.txt'), 'utf8').trim().split('\n').filter((s) => s.endsWith('_0'))[0]).toBe('sil_0');
    const info = JSON.parse(readFileSync(join(out, 'corpus.json'), 'utf8'));
    expect(info.imports[0]).toMatchObject({ alignments: null, lexicon: 'digits', imported: 2 });

    // A corpus imported for a flat start takes no import with alignments, and nothing of it changes.
    const before = ['manifest.jsonl', 'lexicon.txt', 'corpus.json'].map((f) => readFileSync(join(out, f), 'utf8'));
    const aligned = await importInto(plain, out);
    expect(refusalNaming(aligned, out)).toBe('the corpus has no alignments (it was imported for a flat start) and this import has some: import it without them, or into a corpus of its own');
    expect(['manifest.jsonl', 'lexicon.txt', 'corpus.json'].map((f) => readFileSync(join(out, f), 'utf8'))).toEqual(before);
  });

  it('spells other words from a CMUdict file, and a Kaldi data directory needs no alignments', async () => {
    const dir = join(root, 'greetings');
    mkdirSync(dir);
    write(join(dir, 'wav.scp'), `g1 ${join(root, 'audio', 'a.wav')}\ng2 ${join(root, 'audio', 'c.wav')}\n`);
    write(join(dir, 'text'), 'g1 HELLO WORLD\ng2 HELLO\n');
    write(join(dir, 'utt2spk'), 'g1 me\ng2 me\n');
    const dictionary = write(join(root, 'greetings.dict'), ';;; a CMUdict excerpt\nHELLO  HH AH0 L OW1\nHELLO(2)  HH EH0 L OW1\nWORLD  W ER1 L D\nZEBRA  Z IY1 B R AH0\n');
    const out = join(root, 'greetings-corpus');
    const result = await runCli(['import', dir, '--lexicon', dictionary, '--out', out, '--json'], root);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ utterances: 2, skipped: 0 });
    // only the words the transcripts use, every pronunciation, stress dropped
    expect(readFileSync(join(out, 'lexicon.txt'), 'utf8')).toBe('hello hh ah l ow\nhello hh eh l ow\nworld w er l d\n');
    expect(JSON.parse(readFileSync(join(out, 'corpus.json'), 'utf8')).imports[0].lexicon).toBe(dictionary);
  });

  it('refuses words the lexicon lacks, listing each with its utterances, and writes nothing', async () => {
    const dir = folder('odd', 'x.wav\tone banana\ny.wav\tbanana split\nz.wav\tnine\n', { 'x.wav': tone(0.5, 16000, 440), 'y.wav': tone(0.5, 16000, 440), 'z.wav': tone(0.5, 16000, 440) });
    const out = join(root, 'odd-corpus');
    const result = await runCli(['import', dir, '--out', out], root);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `lstmp: ${join(dir, 'transcripts.tsv')}: 2 words not in the built-in digit lexicon: "banana" (x, y), "split" (y); give --lexicon FILE (CMUdict format) that spells them\n`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a lexicon that is not CMUdict, and --lexicon beside --alignments, in one line', async () => {
    const dir = folder('badlex', 'x.wav\tone\n', { 'x.wav': tone(0.5, 16000, 440) });
    const dictionary = write(join(root, 'bad.dict'), 'ONE  W AH1 N\nTWO\n');
    expect(refusalNaming(await runCli(['import', dir, '--lexicon', dictionary, '--out', join(root, 'badlex-corpus')], root), dictionary)).toBe('line 2: the word "two" has no phones');
    const both = await runCli(['import', dir, '--lexicon', dictionary, '--alignments', plain.alignmentsPath, '--states', statesPath, '--out', join(root, 'both')], root);
    expect(both.status).toBe(2);
    expect(both.stderr).toBe("lstmp: --lexicon is for an import without alignments: its words are spelled by the alignments' states\n");
  });
});
