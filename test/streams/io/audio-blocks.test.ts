import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { from, lastValueFrom, map, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { decodeWav, encodeWav } from '../../../src/ops/codecs/wav.js';
import { audioBlocks, type AudioBlock } from '../../../src/streams/io/audio-blocks.js';
import { errorLike, runMarbles } from '../../../src/testing/marbles.js';
import { validWav } from '../../../src/testing/wav.js';

/** `bytes` cut at the given lengths (cycled), as a pipe delivers them. */
function pieces(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const next = Math.min(bytes.length, at + cuts[i % cuts.length]);
    out.push(bytes.slice(at, next));
    at = next;
  }
  return out;
}

const read = (chunks: Uint8Array[], options: { rawRate?: number } = {}): Promise<AudioBlock[]> =>
  lastValueFrom(from(chunks).pipe(audioBlocks({ source: 'in.wav', ...options }), toArray()));

function joined(blocks: readonly AudioBlock[]): Float32Array {
  const out = new Float32Array(blocks.reduce((n, b) => n + b.samples.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b.samples, at);
    at += b.samples.length;
  }
  return out;
}

describe('audioBlocks', () => {
  it('gives the samples decodeWav reads, whatever the chunks the bytes arrive in', async () => {
    await fc.assert(
      fc.asyncProperty(validWav({ maxChannels: 2 }), fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 8 }), async (wav, cuts) => {
        const whole = decodeWav(wav.bytes);
        if (E.isLeft(whole)) throw new Error(whole.left);
        const blocks = await read(pieces(wav.bytes, cuts));
        expect(joined(blocks)).toEqual(whole.right.samples);
        for (const block of blocks) {
          expect(block.sampleRate).toBe(wav.sampleRate);
          expect(block.samples.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('reads raw 16-bit PCM, a sample split across chunks waiting for its second byte', async () => {
    const samples = Float32Array.of(0, 0.5, -0.25, -1, 0.75);
    const bytes = encodeWav(samples, 8000).subarray(44);
    const blocks = await read(pieces(bytes, [3]), { rawRate: 8000 });
    expect(joined(blocks)).toEqual(samples);
    expect(blocks.map((b) => b.sampleRate)).toEqual(blocks.map(() => 8000));
  });

  it('runs to the end of the stream when the data size is a placeholder, as recorders writing to a pipe leave it', async () => {
    const bytes = encodeWav(Float32Array.of(0.5, -0.5, 0.25), 16000);
    new DataView(bytes.buffer).setUint32(40, 0xffffffff, true);
    expect(joined(await read([bytes]))).toEqual(Float32Array.of(0.5, -0.5, 0.25));
  });

  it('refuses what is not WAV, and a stream that ends before its data, naming the source', () => {
    const wav = encodeWav(Float32Array.of(0.5), 16000);
    runMarbles(({ cold, expectObservable }) => {
      const samples = map((b: AudioBlock) => b.samples.length);
      expectObservable(cold('a|', { a: new TextEncoder().encode('hello world, no riff') }).pipe(audioBlocks({ source: 'in.wav' }), samples)).toBe(
        '#',
        undefined,
        errorLike(InputError, 'in.wav: not a RIFF/WAVE stream (give --raw-rate for headerless PCM)'),
      );
      expectObservable(cold('a|', { a: wav.subarray(0, 30) }).pipe(audioBlocks({ source: '-' }), samples)).toBe('-#', undefined, errorLike(InputError, '-: truncated: the stream ended before its data chunk'));
      expectObservable(cold<Uint8Array>('|').pipe(audioBlocks({ source: '-' }), samples)).toBe('#', undefined, errorLike(InputError, '-: no audio (the stream is empty)'));
      expectObservable(cold('a-#', { a: wav }).pipe(audioBlocks({ source: '-' }), samples)).toBe('a-#', { a: 1 });
    });
  });
});
