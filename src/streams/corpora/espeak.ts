import { createRequire } from 'node:module';
import initialize, { type EspeakModule, type EspeakWorker } from '@echogarden/espeak-ng-emscripten';
import type { SpeechEvent } from '../../model/synthesis/phone-segments.js';

/** A voice eSpeak offers: its file name (what set_voice takes) and its languages, most specific first. */
export interface EspeakVoice {
  readonly identifier: string;
  readonly name: string;
  readonly languages: readonly string[];
}

/** How to speak: a voice file name with an optional `+variant`, words per minute, pitch and pitch range (0–100). */
export interface SpeechSettings {
  readonly voice: string;
  readonly rate: number;
  readonly pitch: number;
  readonly range: number;
}

/** What eSpeak said: 16-bit samples at its rate and every event (phoneme, mark, word, …) in the order reported. */
export interface Speech {
  readonly samples: Int16Array;
  readonly sampleRate: number;
  readonly events: readonly SpeechEvent[];
}

/** An in-process eSpeak NG (Emscripten's wasm2js build: plain JavaScript): its voices and variants, and speech as a pure function of text and settings. */
export interface Espeak {
  /** the package's version, for corpus.json */
  readonly version: string;
  readonly sampleRate: number;
  readonly voices: readonly EspeakVoice[];
  /** Voice variant names (`m1`, `f3`, `klatt`, …), sorted; append as `voice+variant`. */
  readonly variants: readonly string[];
  /** Speaks SSML `text`; the same text and settings always give the same samples and events. */
  speak(text: string, settings: SpeechSettings): Speech;
  /** Adds a variant file of eSpeak's voice format under `name`, usable as `voice+name` from then on (a generated speaker). */
  addVariant(name: string, text: string): void;
  /** The text of a variant file (a stock one, or one added). */
  readVariant(name: string): string;
}

const VARIANTS_DIR = '/usr/share/espeak-ng-data/voices/!v';
/**
 * Bytes reserved for strings passed into eSpeak. The Emscripten bindings
 * copy strings into one reusable buffer and malloc a bigger one when a string
 * does not fit; that must happen before the memory snapshot, never after.
 */
const STRING_CAPACITY = 4096;

/**
 * Loads eSpeak NG (~0.5 s). The result must stay in one thread (it is one
 * Emscripten instance with its own ~17 MB heap and ~24 MB of voice data).
 *
 * eSpeak is not a pure function on its own: every synthesis leaves state
 * behind (its random generator, seeded from the clock at start-up, and
 * filter and pitch state), so the same text twice gives slightly different
 * audio. Here the clock reads 0 during start-up and the whole Emscripten
 * heap is snapshotted once and restored before every synthesis, which
 * makes speech depend only on the text and settings (and costs ~4 ms).
 */
export async function loadEspeak(): Promise<Espeak> {
  const messages: string[] = [];
  const module = await initialize({ print: () => {}, printErr: (text) => messages.push(text) });
  const worker = withFixedClock(() => new module.eSpeakNGWorker());
  // Grow the bindings' string buffer now (eSpeak refuses the long name harmlessly; the next call reallocates).
  worker.set_voice('x'.repeat(STRING_CAPACITY));
  worker.set_voice('gmw/en-US');
  const voices = worker.list_voices().map((v) => ({ identifier: v.identifier, name: v.name, languages: v.languages.map((l) => l.name) }));
  const variants = module.FS.readdir(VARIANTS_DIR)
    .filter((name) => !name.startsWith('.'))
    .sort();
  const sampleRate = worker.get_samplerate();
  const snapshot = module.HEAPU8.slice();
  const encoder = new TextEncoder();
  return {
    version: (createRequire(import.meta.url)('@echogarden/espeak-ng-emscripten/package.json') as { version: string }).version,
    sampleRate,
    voices,
    variants,
    speak(text, settings) {
      if (encoder.encode(text).length + encoder.encode(settings.voice).length + 2 > STRING_CAPACITY) {
        throw new RangeError(`text too long for eSpeak (${text.length} characters)`);
      }
      restore(module, snapshot);
      messages.length = 0;
      if (worker.set_voice(settings.voice) !== 0) throw new Error(`eSpeak has no voice "${settings.voice}" ${messages.join(' ')}`.trim());
      worker.set_rate(settings.rate);
      worker.set_pitch(settings.pitch);
      worker.set_range(settings.range);
      return collect(worker, text, sampleRate);
    },
    readVariant(name) {
      // eSpeak's own names have spaces ("Mr serious"); none leaves the folder.
      if (!/^[\w][\w .-]*$/.test(name)) throw new RangeError(`not a variant name: ${JSON.stringify(name)}`);
      return new TextDecoder().decode(module.FS.readFile(`${VARIANTS_DIR}/${name}`));
    },
    addVariant(name, text) {
      // The file system lives outside the heap snapshot, so a variant written once stays for every later speech.
      if (!/^[\w-]+$/.test(name)) throw new RangeError(`not a variant name: ${JSON.stringify(name)}`);
      module.FS.writeFile(`${VARIANTS_DIR}/${name}`, text);
    },
  };
}

/** Runs `create` with Date.now() pinned to 0: eSpeak seeds its random generator from the clock at start-up. */
function withFixedClock<T>(create: () => T): T {
  const now = Date.now;
  Date.now = () => 0;
  try {
    return create();
  } finally {
    Date.now = now;
  }
}

function restore(module: EspeakModule, snapshot: Uint8Array): void {
  const heap = module.HEAPU8;
  heap.set(snapshot);
  if (heap.length > snapshot.length) heap.fill(0, snapshot.length);
}

const NAME_BYTES = 8;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/**
 * A phoneme event's name as eSpeak holds it: a char[8] that has no NUL when
 * all 8 bytes are used ("ˈɔːɹ"), so the bindings read on into whatever follows.
 * The first 8 bytes, without a character cut in two.
 */
export function eventName(read: string): string {
  const bytes = utf8.encode(read);
  if (bytes.length <= NAME_BYTES) return read;
  let end = NAME_BYTES;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return fromUtf8.decode(bytes.subarray(0, end));
}

function collect(worker: EspeakWorker, text: string, sampleRate: number): Speech {
  const chunks: Int16Array[] = [];
  const events: SpeechEvent[] = [];
  worker.synthesize(text, (audio, raw) => {
    if (audio && audio.length > 0) chunks.push(audio);
    for (const event of raw) events.push({ type: event.type, id: event.type === 'phoneme' ? eventName(event.id as string) : event.id, audioPositionMs: event.audio_position });
    return false;
  });
  const samples = new Int16Array(chunks.reduce((n, chunk) => n + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    samples.set(chunk, offset);
    offset += chunk.length;
  }
  return { samples, sampleRate, events };
}
