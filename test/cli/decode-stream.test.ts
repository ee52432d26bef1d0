import * as E from 'fp-ts/lib/Either.js';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeCheckpoint } from '../../src/model/formats/checkpoint.js';
import { decodeWav, encodeWav } from '../../src/ops/codecs/wav.js';
import { resample } from '../../src/ops/dsp/resample.js';
import { mulberry32 } from '../../src/ops/random.js';
import { corpusEntries } from '../../src/streams/corpora/corpus.js';
import { readBytes } from '../../src/streams/io/files.js';
import { buildCli, main, runCli, withoutHostNotice } from '../support/cli.js';
import { toneWordCheckpoint, toneWordCorpus, withCorpusCmvn } from '../support/word-corpus.js';

let dir: string;
let model: string;
const test: { wav: string; samples: Float32Array }[] = [];

beforeAll(async () => {
  buildCli();
  dir = toneWordCorpus({ utterances: 20, seed: 3 });
  model = join(dir, 'model.msgpack');
  // with global feature statistics, as lstmp train writes checkpoints: streaming then hears what batch does
  writeFileSync(model, encodeCheckpoint(await withCorpusCmvn(await toneWordCheckpoint(dir), dir)));
  for await (const { utterance } of corpusEntries(dir)) {
    if (utterance.split === 'train') continue;
    const audio = decodeWav(readBytes(join(dir, utterance.wav)));
    if (E.isLeft(audio)) throw new Error(audio.left);
    test.push({ wav: join(dir, utterance.wav), samples: audio.right.samples });
  }
});

interface Event {
  type: 'partial' | 'final';
  words: string[];
  start: number;
  end: number;
  latencyMs: number;
}

const events = (stdout: string): Event[] =>
  stdout
    .trimEnd()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Event);

async function batchWords(wav: string): Promise<string[]> {
  const result = await runCli(['decode', '--checkpoint', model, '--json', wav]);
  expect(result.status).toBe(0);
  return (JSON.parse(result.stdout) as { words: string[] }).words;
}

/** Raw 16-bit little-endian PCM of `samples`. */
const raw = (samples: Float32Array) => encodeWav(samples, 8000).subarray(44);

describe('lstmp decode --stream', () => {
  it('prints a JSON line per event; its finals are what batch decoding of the file says', async () => {
    for (const { wav } of test.slice(0, 4)) {
      const result = await runCli(['decode', '--checkpoint', model, '--stream', wav, '--json']);
      expect(result.status).toBe(0);
      expect(result.stderr).toBe('');
      const said = events(result.stdout);
      for (const event of said) {
        expect(Object.keys(event)).toEqual(['type', 'words', 'start', 'end', 'latencyMs']);
        expect(event.start).toBeLessThanOrEqual(event.end);
      }
      expect(said.filter((e) => e.type === 'final').flatMap((e) => e.words)).toEqual(await batchWords(wav));
    }
  });

  it('in text prints each final segment with its times, and the real-time factor on stderr', async () => {
    const { wav } = test[0];
    const result = await runCli(['decode', '--checkpoint', model, '--stream', wav]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^(\d+\.\d\d–\d+\.\d\d s: [a-z ]+\n)+$/);
    expect(result.stderr).toMatch(/^\d+\.\d\d s of audio in \d+\.\d\d s \(real-time factor \d+\.\d+\)\n$/);
  });

  it('reads raw PCM from stdin and says a final at a pause while the input is still open', async () => {
    // Two utterances at 8 kHz with a second of quiet between: the first one's final must come before stdin ends.
    const noise = mulberry32(9);
    const [a, b] = test.map((u) => resample(u.samples, 16000, 8000));
    const pause = Float32Array.from({ length: 8000 }, () => 0.004 * (noise() - 0.5));
    const first = new Float32Array(a.length + pause.length);
    first.set(a);
    first.set(pause, a.length);
    const child = spawn(process.execPath, [main, 'decode', '--checkpoint', model, '--stream', '--raw-rate', '8000', '--json', '-']);
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const sawFinal = new Promise<void>((resolve) =>
      child.stdout.setEncoding('utf8').on('data', (text: string) => {
        stdout += text;
        if (/"type":"final"/.test(stdout)) resolve();
      }),
    );
    const ended = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin.write(raw(first));
    await sawFinal;
    const early = events(stdout).filter((e) => e.type === 'final');
    child.stdin.end(raw(b));
    expect(await ended).toBe(0);
    expect(withoutHostNotice(stderr)).toBe('');
    const whole = new Float32Array(first.length + b.length);
    whole.set(first);
    whole.set(b, first.length);
    const wav = join(dir, 'joined-8k.wav');
    writeFileSync(wav, encodeWav(whole, 8000));
    const batch = await batchWords(wav);
    expect(early.flatMap((e) => e.words)).toEqual(batch.slice(0, early.flatMap((e) => e.words).length));
    expect(events(stdout).filter((e) => e.type === 'final').flatMap((e) => e.words)).toEqual(batch);
  });

  it('refuses in one line: not WAV on stdin, an empty stdin, --raw-rate without --stream, two files', async () => {
    const piped = (input: Uint8Array | string, args: string[]) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [main, 'decode', '--checkpoint', model, ...args]);
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
        child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
        child.on('close', (status) => resolve({ status, stdout, stderr: withoutHostNotice(stderr) }));
        child.stdin.end(input);
      });
    expect(await piped('hello, no riff here', ['--stream'])).toEqual({ status: 2, stdout: '', stderr: 'lstmp: -: not a RIFF/WAVE stream (give --raw-rate for headerless PCM)\n' });
    expect(await piped('', ['--stream', '-'])).toEqual({ status: 2, stdout: '', stderr: 'lstmp: -: no audio (the stream is empty)\n' });
    expect(await runCli(['decode', '--checkpoint', model, '--raw-rate', '8000', test[0].wav])).toMatchObject({ status: 2, stderr: 'lstmp: --raw-rate goes with --stream\n' });
    expect(await runCli(['decode', '--checkpoint', model, '--stream', test[0].wav, test[1].wav])).toMatchObject({ status: 2, stderr: 'lstmp: --stream reads one file, or - for stdin, and no --corpus\n' });
  });
});
