import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { decodeWav } from '../../src/ops/codecs/wav.js';
import { closeTo } from '../../src/testing/close-to.js';
import { adversarialWav, recoverableWav, validWav, WAV_DEFECTS, WAV_ENCODINGS, type WavDefect } from '../../src/testing/wav.js';

// The WAV arbitraries held to what they promise, against lstmp's decodeWav and a walk of their chunks written here.

/** decodeWav's answer, or the exception it threw as a failure of its contract (it returns an Either, never throws). */
function decoded(bytes: Uint8Array) {
  try {
    return decodeWav(bytes);
  } catch (error) {
    throw new Error(`decodeWav threw: ${String(error)}`);
  }
}

/** The RIFF header's size and the chunks' ids and declared sizes, walked from byte 12. */
function walk(bytes: Uint8Array): { riff: number; chunks: { id: string; at: number; declared: number }[]; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: { id: string; at: number; declared: number }[] = [];
  let at = 12;
  while (at + 8 <= bytes.length) {
    const declared = view.getUint32(at + 4, true);
    chunks.push({ id: String.fromCharCode(...bytes.subarray(at, at + 4)), at, declared });
    at += 8 + declared + (declared % 2);
  }
  return { riff: view.getUint32(4, true), chunks, end: at };
}

/** What lstmp's decodeWav says for each defect: the tag is honest when the reason matches. */
const reasons: Record<WavDefect, RegExp> = {
  'not RIFF': /^(not a RIFF\/WAVE file|big-endian RIFX files are not supported|RF64 files are not supported)$/,
  'not WAVE': /^not a RIFF\/WAVE file$/,
  'truncated header': /^(truncated header|not a RIFF\/WAVE file)$/,
  'truncated before the first frame': /^(truncated|'.{4}' chunk declares \d+ bytes but only \d+ remain|no fmt chunk|no data chunk|zero samples)/,
  'chunk larger than the file': /^'.{4}' chunk declares \d+ bytes but only \d+ remain \(truncated or corrupt\)$/,
  'unknown format': /^unsupported (codec: (format tag|extensible subformat) 0x[0-9a-f]{4}.*, only PCM and IEEE float|extensible subformat \(unknown GUID\))$/,
  'zero channels': /^0 channels$/,
  'absurd sample rate': /^(sample rate 0 Hz|absurd sample rate \d+ Hz)$/,
  'bad block align': /^block align \d+ does not match \d+ channel\(s\) × \d+ bits$/,
  'bad bits per sample': /^unsupported (PCM|float) bits per sample \d+$/,
  'short fmt chunk': /^(extensible )?fmt chunk too short \(\d+ bytes, need (16|40)\)$/,
  'no fmt chunk': /^no fmt chunk$/,
  'no data chunk': /^no data chunk$/,
  'empty data': /^zero samples \(empty data chunk\)$/,
  'non-finite samples': /^non-finite or out-of-range float sample in frame \d+$/,
};

describe('validWav', () => {
  it('decodes with decodeWav to the samples it was built from, within its tolerance', () => {
    fc.assert(
      fc.property(validWav(), (wav) => {
        const audio = decoded(wav.bytes);
        if (E.isLeft(audio)) throw new Error(`refused: ${audio.left}`);
        expect([audio.right.sampleRate, audio.right.channels]).toEqual([wav.sampleRate, wav.channels]);
        expect(audio.right.samples.length).toBe(wav.interleaved.length / wav.channels);
        closeTo(audio.right.samples, wav.samples, wav.tolerance);
      }),
      { numRuns: 500 },
    );
  });

  it('is laid out as its recipe says: a true RIFF size, its chunks in order with pad bytes after odd ones, nothing after the last', () => {
    fc.assert(
      fc.property(validWav(), (wav) => {
        const { riff, chunks, end } = walk(wav.bytes);
        expect(String.fromCharCode(...wav.bytes.subarray(0, 4), ...wav.bytes.subarray(8, 12))).toBe('RIFFWAVE');
        expect(riff).toBe(wav.bytes.length - 8);
        expect(chunks.map((c) => c.id)).toEqual(wav.chunks);
        expect(end).toBe(wav.bytes.length);
        for (const c of chunks) if (c.declared % 2 === 1) expect(wav.bytes[c.at + 8 + c.declared]).toBe(0);
        const fmt = chunks.find((c) => c.id === 'fmt ')!;
        expect(chunks.indexOf(fmt)).toBeLessThan(chunks.findIndex((c) => c.id === 'data'));
        expect(wav.extensible ? [40] : [16, 18]).toContain(fmt.declared);
      }),
      { numRuns: 300 },
    );
  });

  it('draws every encoding, plain and extensible, mono and stereo, chunks before fmt, between and after, odd-sized chunks, odd-sized data', () => {
    const draws = fc.sample(validWav(), { numRuns: 1000, seed: 7 });
    expect(new Set(draws.map((w) => w.encoding))).toEqual(new Set(WAV_ENCODINGS));
    expect(new Set(draws.map((w) => `${w.channels} ${w.extensible}`))).toEqual(new Set(['1 true', '1 false', '2 true', '2 false']));
    const where = draws.flatMap((w) => {
      const ids = w.chunks.map((id) => (id === 'fmt ' || id === 'data' ? id : 'extra'));
      return ids.map((id, i) => (id === 'extra' ? (i < ids.indexOf('fmt ') ? 'before fmt' : i < ids.indexOf('data') ? 'before data' : 'after data') : id));
    });
    expect(new Set(where)).toEqual(new Set(['fmt ', 'data', 'before fmt', 'before data', 'after data']));
    const odd = draws.map((w) => walk(w.bytes).chunks.filter((c) => c.declared % 2 === 1).map((c) => c.id));
    expect(odd.some((ids) => ids.includes('LIST'))).toBe(true);
    expect(odd.some((ids) => ids.includes('data'))).toBe(true);
  });

  it('prints as its recipe and bytes', () => {
    const [wav] = fc.sample(validWav(), { numRuns: 1, seed: 8 });
    expect(fc.stringify(wav)).toMatch(/^(pcm|float)\d+( extensible)?, \d channel\(s\), \d+ Hz, \d+ frame\(s\); chunks .*; bytes 52494646[0-9a-f]+$/);
  });
});

describe('adversarialWav', () => {
  it('is refused by decodeWav, never thrown at, with a one-line reason that names its defect', () => {
    fc.assert(
      fc.property(adversarialWav(), (wav) => {
        const result = decoded(wav.bytes);
        if (E.isRight(result)) throw new Error(`accepted ${wav.recipe}`);
        expect(result.left).not.toMatch(/\n/);
        expect(result.left, wav.recipe).toMatch(reasons[wav.defect]);
      }),
      { numRuns: 3000 },
    );
  });

  it('draws every defect, about equally often, and only those asked for', () => {
    const counts = new Map<WavDefect, number>();
    for (const wav of fc.sample(adversarialWav(), { numRuns: 3000, seed: 9 })) counts.set(wav.defect, (counts.get(wav.defect) ?? 0) + 1);
    expect(new Set(counts.keys())).toEqual(new Set(WAV_DEFECTS));
    for (const n of counts.values()) expect(n).toBeGreaterThan(100);
    const some: WavDefect[] = ['zero channels', 'non-finite samples'];
    expect(new Set(fc.sample(adversarialWav({ defects: some, encodings: ['pcm16'] }), { numRuns: 100, seed: 10 }).map((w) => w.defect))).toEqual(new Set(some));
  });

  it('is one defect in an otherwise valid file: the lying chunk sits before data, the cut before the first frame', () => {
    fc.assert(
      fc.property(adversarialWav({ defects: ['chunk larger than the file', 'truncated before the first frame'] }), (wav) => {
        const { chunks } = walk(wav.bytes);
        const data = chunks.findIndex((c) => c.id === 'data');
        if (wav.defect === 'chunk larger than the file') {
          const liar = chunks.at(-1)!;
          expect(liar.at + 8 + liar.declared).toBeGreaterThan(wav.bytes.length);
          expect(liar.id).not.toBe('data');
        } else if (data >= 0) {
          // a data header may be there, but not a whole frame after it
          expect(wav.bytes.length - (chunks[data].at + 8)).toBeLessThan(16);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('prints its defect, the detail and what it was broken from', () => {
    const [wav] = fc.sample(adversarialWav({ defects: ['zero channels'] }), { numRuns: 1, seed: 11 });
    expect(fc.stringify(wav)).toMatch(/^zero channels \(fmt declares 0 channels\), broken from (pcm|float)\d+.*; bytes [0-9a-f]+$/);
  });
});

describe('recoverableWav', () => {
  it('is read by decodeWav to the frames that survive its damage, within its tolerance', () => {
    fc.assert(
      fc.property(recoverableWav(), (wav) => {
        const audio = decoded(wav.bytes);
        if (E.isLeft(audio)) throw new Error(`${wav.damage} refused: ${audio.left}`);
        expect(audio.right.samples.length).toBe(wav.samples.length);
        closeTo(audio.right.samples, wav.samples, wav.tolerance);
      }),
      { numRuns: 1000 },
    );
  });

  it('is damaged as its tag says', () => {
    fc.assert(
      fc.property(recoverableWav(), (wav) => {
        const { riff, chunks } = walk(wav.bytes);
        const data = chunks.find((c) => c.id === 'data')!;
        const frames = wav.interleaved.length / wav.channels;
        if (wav.damage === 'lying RIFF size') expect(riff).not.toBe(wav.bytes.length - 8);
        else expect(data.at + 8 + data.declared).toBeGreaterThan(wav.bytes.length);
        if (wav.damage === 'truncated data') expect(wav.samples.length).toBeLessThan(frames);
        else expect(wav.samples.length).toBe(frames);
        expect(wav.samples.length).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 500 },
    );
    expect(new Set(fc.sample(recoverableWav(), { numRuns: 200, seed: 12 }).map((w) => w.damage))).toEqual(new Set(['lying RIFF size', 'data larger than the file', 'truncated data']));
  });
});
