import * as E from 'fp-ts/lib/Either.js';
import type { OperatorFunction } from 'rxjs';
import { InputError } from '../../errors.js';
import { decodePcm, rawS16le, wavStreamHeader, type PcmFormat } from '../../ops/codecs/wav.js';
import { operate } from '../pipeline/operate.js';

/** Mono samples in [-1, 1) at a sample rate: a piece of a stream of audio. */
export interface AudioBlock {
  readonly sampleRate: number;
  readonly samples: Float32Array;
}

export interface AudioBlockOptions {
  /** the bytes are headerless signed 16-bit little-endian mono PCM at this rate; otherwise a WAV stream */
  readonly rawRate?: number;
  /** what the bytes are, for messages (`-` for stdin, a file name) */
  readonly source: string;
}

/**
 * Bytes of a WAV file (or of raw PCM) in chunks of any size, as a file or a
 * pipe delivers them → blocks of samples, each as soon as its bytes have
 * come: the header is read once it is whole, and a sample split between two
 * chunks waits for the second. A stream that is not WAV, or ends before its
 * data, errors with an {@link InputError} naming the source.
 *
 * @example
 * fromReadable(process.stdin).pipe(audioBlocks({ source: '-' }), recognizeStream(recognizer))
 */
export function audioBlocks(options: AudioBlockOptions): OperatorFunction<Uint8Array, AudioBlock> {
  const fail = (reason: string): never => {
    throw new InputError(`${options.source}: ${reason}`);
  };
  return operate((subscriber) => {
    let format: PcmFormat | null = options.rawRate === undefined ? null : rawS16le(options.rawRate);
    let held: Uint8Array = new Uint8Array(0);
    let sawData = format !== null;
    /** data bytes still to come (Infinity: to the end of the stream) */
    let remaining = Infinity;
    const hold = (chunk: Uint8Array) => {
      if (held.length === 0) return chunk;
      const joined = new Uint8Array(held.length + chunk.length);
      joined.set(held);
      joined.set(chunk, held.length);
      return joined;
    };
    return {
      next: (chunk) => {
        let bytes = hold(chunk);
        if (format === null) {
          const header = wavStreamHeader(bytes);
          if (E.isLeft(header)) fail(header.left);
          else if (header.right === null) {
            held = bytes;
            return;
          } else {
            format = header.right.format;
            bytes = bytes.subarray(header.right.dataStart);
            remaining = header.right.dataBytes ?? Infinity;
            sawData = true;
          }
        }
        // Chunks after the data (a LIST of tags, say) are not samples.
        if (bytes.length > remaining) bytes = bytes.subarray(0, remaining);
        const pcm = decodePcm(bytes, format as PcmFormat);
        if (E.isLeft(pcm)) fail(pcm.left);
        else {
          remaining -= pcm.right.used;
          held = bytes.slice(pcm.right.used);
          if (pcm.right.samples.length > 0) subscriber.next({ sampleRate: (format as PcmFormat).sampleRate, samples: pcm.right.samples });
        }
      },
      complete: () => {
        if (!sawData) fail(held.length === 0 ? 'no audio (the stream is empty)' : 'truncated: the stream ended before its data chunk');
        subscriber.complete();
      },
    };
  });
}
