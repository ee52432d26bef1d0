import { createReadStream } from 'node:fs';
import { from, lastValueFrom, tap } from 'rxjs';
import { fail } from '../errors.js';
import { audioBlocks } from '../streams/io/audio-blocks.js';
import type { Hypothesis } from '../streams/recognition/live-recognition.js';
import { recognizeStream } from '../streams/recognition/recognize-stream.js';
import type { Recognizer } from '../streams/recognition/recognizer.js';

export interface StreamCommandOptions {
  /** a WAV file, or `-` for stdin */
  readonly source: string;
  readonly rawRate?: number;
  readonly endpointMs: number;
  readonly json: boolean;
  readonly quiet: boolean;
}

/** Bytes read from a file at a time: 0.1 s of 16-bit audio at 16 kHz, so a file streams as a recorder would. */
const FILE_CHUNK = 3200;

const seconds = (x: number) => x.toFixed(2);

/**
 * `lstmp decode --stream`: WAV bytes or raw PCM from a file or stdin,
 * recognised as they arrive. Each final is printed as it becomes final
 * (`--json`: every partial and final, a line each); partials show on a
 * terminal's stderr, overwritten in place. At the end, on stderr: audio
 * length, time taken, real-time factor.
 */
export async function decodeStream(recognizer: Recognizer, options: StreamCommandOptions): Promise<void> {
  const input = options.source === '-' ? process.stdin : createReadStream(options.source, { highWaterMark: FILE_CHUNK });
  const live = !options.json && !options.quiet && process.stderr.isTTY;
  const began = performance.now();
  let audio = 0;
  let rate = 0;
  let shown = false;
  const show = (h: Hypothesis) => {
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ type: h.type, words: h.words, start: Number(seconds(h.start)), end: Number(seconds(h.end)), latencyMs: Math.round(h.latencyMs) })}\n`);
      return;
    }
    if (live) process.stderr.write('\r\x1b[K');
    if (h.type === 'final') {
      shown = false;
      process.stdout.write(`${seconds(h.start)}–${seconds(h.end)} s: ${h.words.join(' ')}\n`);
    } else if (live) {
      shown = true;
      process.stderr.write(`… ${h.words.join(' ')}`);
    }
  };
  await lastValueFrom(
    from(input as AsyncIterable<Uint8Array>).pipe(
      audioBlocks({ source: options.source, rawRate: options.rawRate }),
      tap((block) => {
        audio += block.samples.length;
        rate = block.sampleRate;
      }),
      recognizeStream(recognizer, { endpointMs: options.endpointMs }),
      tap(show),
    ),
    { defaultValue: null },
  );
  if (live && shown) process.stderr.write('\r\x1b[K');
  if (audio === 0) fail(`${options.source}: no audio samples`);
  if (!options.json && !options.quiet) {
    const took = (performance.now() - began) / 1000;
    const length = audio / rate;
    process.stderr.write(`${seconds(length)} s of audio in ${seconds(took)} s (real-time factor ${(took / length).toFixed(3)})\n`);
  }
}
