import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, test } from 'vitest';
import { decodePcm, decodeWav, encodeWav, rawS16le, wavStreamHeader, type Audio } from '../../../src/ops/codecs/wav.js';
import { validWav } from '../../../src/testing/wav.js';

// WAV files built byte by byte, independently of the decoder.

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function u16(value: number): Uint8Array {
  return Uint8Array.of(value & 0xff, (value >>> 8) & 0xff);
}

function u32(value: number): Uint8Array {
  return Uint8Array.of(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff);
}

/** A chunk: id, size (the body's, unless `declared` says otherwise), body, pad byte if odd. */
function chunk(id: string, body: Uint8Array, declared = body.length): Uint8Array {
  return concat([ascii(id), u32(declared), body, body.length % 2 === 1 ? Uint8Array.of(0) : new Uint8Array(0)]);
}

function riff(...chunks: Uint8Array[]): Uint8Array {
  const body = concat(chunks);
  return concat([ascii('RIFF'), u32(4 + body.length), ascii('WAVE'), body]);
}

interface FmtFields {
  tag: number;
  channels: number;
  rate: number;
  bits: number;
  blockAlign?: number;
}

function fmt({ tag, channels, rate, bits, blockAlign = channels * Math.ceil(bits / 8) }: FmtFields): Uint8Array {
  return chunk('fmt ', concat([u16(tag), u16(channels), u32(rate), u32(rate * blockAlign), u16(blockAlign), u16(bits)]));
}

const GUID_SUFFIX = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

function fmtExtensible(fields: FmtFields & { subformat: number; validBits?: number; suffix?: number[] }): Uint8Array {
  const { channels, rate, bits, subformat, validBits = bits, suffix = GUID_SUFFIX } = fields;
  const blockAlign = channels * Math.ceil(bits / 8);
  return chunk(
    'fmt ',
    concat([
      u16(0xfffe),
      u16(channels),
      u32(rate),
      u32(rate * blockAlign),
      u16(blockAlign),
      u16(bits),
      u16(22),
      u16(validBits),
      u32(channels === 1 ? 4 : 3),
      u16(subformat),
      Uint8Array.from(suffix),
    ]),
  );
}

/** Little-endian bytes of integer samples of `width` bytes (two's complement). */
function intBytes(values: number[], width: number): Uint8Array {
  const out = new Uint8Array(values.length * width);
  values.forEach((v, i) => {
    for (let b = 0; b < width; b++) out[i * width + b] = (v >> (8 * b)) & 0xff;
  });
  return out;
}

function floatBytes(values: number[], width: 4 | 8): Uint8Array {
  const out = new Uint8Array(values.length * width);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => (width === 4 ? view.setFloat32(4 * i, v, true) : view.setFloat64(8 * i, v, true)));
  return out;
}

const pcm16 = (samples: number[], rate = 16000): Uint8Array =>
  riff(fmt({ tag: 1, channels: 1, rate, bits: 16 }), chunk('data', intBytes(samples, 2)));

function right(bytes: Uint8Array): Audio {
  const decoded = decodeWav(bytes);
  if (E.isLeft(decoded)) throw new Error(`expected audio, got: ${decoded.left}`);
  return decoded.right;
}

function left(bytes: Uint8Array): string {
  const decoded = decodeWav(bytes);
  if (E.isRight(decoded)) throw new Error('expected an error, got audio');
  return decoded.left;
}

const int = (bits: number) => fc.integer({ min: -(2 ** (bits - 1)), max: 2 ** (bits - 1) - 1 });

describe('decodeWav reads every supported format', () => {
  test('8-bit unsigned PCM is centred on 128', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 50 }), (values) => {
        const audio = right(riff(fmt({ tag: 1, channels: 1, rate: 8000, bits: 8 }), chunk('data', Uint8Array.from(values))));
        expect(audio).toEqual({ sampleRate: 8000, channels: 1, samples: Float32Array.from(values, (v) => (v - 128) / 128) });
      }),
    );
  });

  test.each([16, 24, 32])('%i-bit PCM is scaled by 2^(bits−1)', (bits) => {
    fc.assert(
      fc.property(fc.array(int(bits), { minLength: 1, maxLength: 50 }), fc.integer({ min: 1000, max: 1_000_000 }), (values, rate) => {
        const audio = right(riff(fmt({ tag: 1, channels: 1, rate, bits }), chunk('data', intBytes(values, bits / 8))));
        expect(audio).toEqual({ sampleRate: rate, channels: 1, samples: Float32Array.from(values, (v) => v / 2 ** (bits - 1)) });
      }),
    );
  });

  test('the extremes of 16-bit PCM map to -1 and just under 1', () => {
    expect(Array.from(right(pcm16([-32768, 32767, 0])).samples)).toEqual([-1, Math.fround(32767 / 32768), 0]);
  });

  test.each([4, 8] as const)('%i-byte IEEE float is passed through', (width) => {
    fc.assert(
      fc.property(fc.array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: 1, maxLength: 50 }), (values) => {
        const audio = right(riff(fmt({ tag: 3, channels: 1, rate: 22050, bits: 8 * width }), chunk('data', floatBytes(values, width))));
        expect(audio.samples).toEqual(Float32Array.from(values, (v) => v + 0)); // the mixdown sum turns −0 into 0
      }),
    );
  });

  test('channels are averaged to mono', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(int(16), { minLength: 6, maxLength: 60 }), (channels, raw) => {
        const values = raw.slice(0, raw.length - (raw.length % channels));
        const audio = right(riff(fmt({ tag: 1, channels, rate: 44100, bits: 16 }), chunk('data', intBytes(values, 2))));
        const expected = new Float32Array(values.length / channels);
        for (let f = 0; f < expected.length; f++) {
          let sum = 0;
          for (let c = 0; c < channels; c++) sum += values[f * channels + c] / 32768;
          expected[f] = sum / channels;
        }
        expect(audio.channels).toBe(channels);
        expect(audio.samples).toEqual(expected);
      }),
    );
  });

  test('stereo mixdown of opposite channels is silence', () => {
    const audio = right(riff(fmt({ tag: 1, channels: 2, rate: 16000, bits: 16 }), chunk('data', intBytes([1000, -1000, -32768, 32767], 2))));
    expect(Array.from(audio.samples)).toEqual([0, Math.fround(-0.5 / 32768)]);
  });

  test('WAVE_FORMAT_EXTENSIBLE with a PCM subformat', () => {
    const values = [0, 1, -1, 32767, -32768, 1234];
    const audio = right(riff(fmtExtensible({ tag: 0xfffe, channels: 1, rate: 48000, bits: 16, subformat: 1 }), chunk('data', intBytes(values, 2))));
    expect(audio).toEqual({ sampleRate: 48000, channels: 1, samples: Float32Array.from(values, (v) => v / 32768) });
  });

  test('WAVE_FORMAT_EXTENSIBLE with 24 valid bits in a 32-bit container', () => {
    const values = [0, 1, -1, 8388607, -8388608];
    const bytes = riff(
      fmtExtensible({ tag: 0xfffe, channels: 1, rate: 96000, bits: 32, validBits: 24, subformat: 1 }),
      chunk('data', intBytes(values.map((v) => v * 256), 4)),
    );
    expect(right(bytes).samples).toEqual(Float32Array.from(values, (v) => v / 8388608));
  });

  test('WAVE_FORMAT_EXTENSIBLE with a float subformat, stereo', () => {
    const bytes = riff(fmtExtensible({ tag: 0xfffe, channels: 2, rate: 44100, bits: 32, subformat: 3 }), chunk('data', floatBytes([0.5, 0.25, -1, 1], 4)));
    expect(Array.from(right(bytes).samples)).toEqual([0.375, 0]);
  });

  test('unknown chunks before and after fmt are skipped, honouring pad bytes', () => {
    const bytes = riff(
      chunk('LIST', ascii('INFOodd')),
      fmt({ tag: 1, channels: 1, rate: 16000, bits: 8 }),
      chunk('fact', u32(3)),
      chunk('data', Uint8Array.of(128, 255, 0)),
      chunk('id3 ', ascii('trailing metadata')),
    );
    expect(Array.from(right(bytes).samples)).toEqual([0, 127 / 128, -1]);
  });

  test('a data chunk declaring more bytes than the file holds is clamped (streamed recordings)', () => {
    const body = intBytes([1, 2, 3], 2);
    for (const declared of [0xffffffff, 100]) {
      const bytes = riff(fmt({ tag: 1, channels: 1, rate: 16000, bits: 16 }), chunk('data', body, declared));
      expect(Array.from(right(bytes).samples)).toEqual([1, 2, 3].map((v) => v / 32768));
    }
  });

  test('a partial frame at the end is dropped', () => {
    const bytes = riff(fmt({ tag: 1, channels: 2, rate: 16000, bits: 16 }), chunk('data', intBytes([100, 300, 7], 2)));
    expect(Array.from(right(bytes).samples)).toEqual([200 / 32768]);
  });

  test('a wrong RIFF size field is ignored', () => {
    const bytes = pcm16([5, 6]);
    bytes.set(u32(0), 4);
    expect(right(bytes).samples.length).toBe(2);
  });
});

describe('decodeWav refuses bad input with a short phrase', () => {
  test('an empty file', () => {
    expect(left(new Uint8Array(0))).toBe('not a RIFF/WAVE file');
  });

  test('text', () => {
    expect(left(ascii('hello, this is not audio at all'))).toBe('not a RIFF/WAVE file');
  });

  test('a RIFF file that is not WAVE', () => {
    expect(left(concat([ascii('RIFF'), u32(4), ascii('AVI ')]))).toBe('not a RIFF/WAVE file');
  });

  test('big-endian RIFX', () => {
    expect(left(concat([ascii('RIFX'), u32(4), ascii('WAVE')]))).toMatch(/RIFX.*not supported/);
  });

  test('a header cut short', () => {
    expect(left(concat([ascii('RIFF'), u32(36)]))).toBe('truncated header');
  });

  test('a file cut inside the fmt chunk', () => {
    expect(left(pcm16([1, 2, 3]).subarray(0, 26))).toMatch(/^'fmt ' chunk declares 16 bytes but only 6 remain \(truncated/);
  });

  test('a file cut inside a chunk header', () => {
    expect(left(concat([ascii('RIFF'), u32(40), ascii('WAVE'), ascii('fmt ')]))).toMatch(/^truncated/);
  });

  test('no fmt chunk', () => {
    expect(left(riff(chunk('data', intBytes([1, 2], 2))))).toBe('no fmt chunk');
  });

  test('no data chunk', () => {
    expect(left(riff(fmt({ tag: 1, channels: 1, rate: 16000, bits: 16 }), chunk('LIST', ascii('INFO'))))).toBe('no data chunk');
  });

  test('an empty data chunk', () => {
    expect(left(pcm16([]))).toMatch(/^zero samples/);
  });

  test('a data chunk smaller than one frame', () => {
    expect(left(riff(fmt({ tag: 1, channels: 2, rate: 16000, bits: 16 }), chunk('data', intBytes([1], 2))))).toMatch(/^zero samples/);
  });

  test('a compressed codec, named', () => {
    expect(left(riff(fmt({ tag: 0x55, channels: 1, rate: 16000, bits: 0, blockAlign: 1 }), chunk('data', ascii('mp3!'))))).toBe(
      'unsupported codec: format tag 0x0055 (MPEG layer 3), only PCM and IEEE float',
    );
  });

  test('an unknown format tag', () => {
    expect(left(riff(fmt({ tag: 0x1234, channels: 1, rate: 16000, bits: 16 }), chunk('data', intBytes([1], 2))))).toMatch(/format tag 0x1234/);
  });

  test('an extensible file with an ADPCM subformat', () => {
    const bytes = riff(fmtExtensible({ tag: 0xfffe, channels: 1, rate: 16000, bits: 16, subformat: 2 }), chunk('data', intBytes([1], 2)));
    expect(left(bytes)).toMatch(/unsupported codec: extensible subformat 0x0002/);
  });

  test('an extensible file with an unknown subformat GUID', () => {
    const bytes = riff(fmtExtensible({ tag: 0xfffe, channels: 1, rate: 16000, bits: 16, subformat: 1, suffix: GUID_SUFFIX.map((b) => b ^ 1) }), chunk('data', intBytes([1], 2)));
    expect(left(bytes)).toMatch(/unknown GUID/);
  });

  test('0 channels', () => {
    expect(left(riff(fmt({ tag: 1, channels: 0, rate: 16000, bits: 16, blockAlign: 2 }), chunk('data', intBytes([1], 2))))).toBe('0 channels');
  });

  test('sample rate 0', () => {
    expect(left(riff(fmt({ tag: 1, channels: 1, rate: 0, bits: 16 }), chunk('data', intBytes([1], 2))))).toBe('sample rate 0 Hz');
  });

  test('an absurd sample rate', () => {
    expect(left(riff(fmt({ tag: 1, channels: 1, rate: 0xffffffff, bits: 16 }), chunk('data', intBytes([1], 2))))).toBe('absurd sample rate 4294967295 Hz');
    expect(left(riff(fmt({ tag: 1, channels: 1, rate: 999, bits: 16 }), chunk('data', intBytes([1], 2))))).toBe('absurd sample rate 999 Hz');
  });

  test('block align not matching channels × bits', () => {
    expect(left(riff(fmt({ tag: 1, channels: 2, rate: 16000, bits: 16, blockAlign: 2 }), chunk('data', intBytes([1, 2], 2))))).toBe(
      'block align 2 does not match 2 channel(s) × 16 bits',
    );
  });

  test('0 bits per sample', () => {
    expect(left(riff(fmt({ tag: 1, channels: 1, rate: 16000, bits: 0, blockAlign: 2 }), chunk('data', intBytes([1], 2))))).toMatch(/bits per sample 0/);
  });

  test('PCM wider than 32 bits', () => {
    expect(left(riff(fmt({ tag: 1, channels: 1, rate: 16000, bits: 48 }), chunk('data', new Uint8Array(12))))).toMatch(/bits per sample 48/);
  });

  test('16-bit float', () => {
    expect(left(riff(fmt({ tag: 3, channels: 1, rate: 16000, bits: 16 }), chunk('data', new Uint8Array(4))))).toMatch(/float bits per sample 16/);
  });

  test('an fmt chunk too short', () => {
    expect(left(riff(chunk('fmt ', new Uint8Array(14)), chunk('data', new Uint8Array(4))))).toMatch(/fmt chunk too short \(14 bytes/);
  });

  test('an extensible fmt chunk too short', () => {
    const short = concat([u16(0xfffe), u16(1), u32(16000), u32(32000), u16(2), u16(16), u16(0)]);
    expect(left(riff(chunk('fmt ', short), chunk('data', new Uint8Array(4))))).toMatch(/extensible fmt chunk too short \(18 bytes/);
  });

  test('a huge size on an unknown chunk', () => {
    const bytes = riff(chunk('LIST', ascii('INFO'), 0xfffffff0), fmt({ tag: 1, channels: 1, rate: 16000, bits: 16 }), chunk('data', intBytes([1], 2)));
    expect(left(bytes)).toMatch(/^'LIST' chunk declares 4294967280 bytes but only \d+ remain/);
  });

  test('a huge size on the fmt chunk', () => {
    const bytes = pcm16([1, 2]);
    bytes.set(u32(0x7fffffff), 16);
    expect(left(bytes)).toMatch(/^'fmt ' chunk declares 2147483647 bytes/);
  });

  test('non-finite float samples', () => {
    for (const bad of [NaN, Infinity]) {
      expect(left(riff(fmt({ tag: 3, channels: 1, rate: 16000, bits: 32 }), chunk('data', floatBytes([0, bad], 4))))).toMatch(/non-finite.*frame 1/);
    }
  });

  test('float64 samples beyond the float32 range', () => {
    expect(left(riff(fmt({ tag: 3, channels: 1, rate: 16000, bits: 64 }), chunk('data', floatBytes([1e300], 8))))).toMatch(/out-of-range/);
  });
});

describe('encodeWav', () => {
  test('writes the canonical 44-byte header of 16-bit PCM mono', () => {
    const bytes = encodeWav(Float32Array.of(0, 0.5), 22050);
    expect(bytes.subarray(0, 44)).toEqual(
      concat([ascii('RIFF'), u32(40), ascii('WAVE'), ascii('fmt '), u32(16), u16(1), u16(1), u32(22050), u32(44100), u16(2), u16(16), ascii('data'), u32(4)]),
    );
    expect(bytes.subarray(44)).toEqual(intBytes([0, 16384], 2));
  });

  test('round-trips every int16 value exactly', () => {
    fc.assert(
      fc.property(fc.array(int(16), { maxLength: 100 }), fc.integer({ min: 1000, max: 1_000_000 }), (values, rate) => {
        const samples = Float32Array.from(values, (v) => v / 32768);
        const bytes = encodeWav(samples, rate);
        if (values.length === 0) expect(left(bytes)).toMatch(/^zero samples/);
        else expect(right(bytes)).toEqual({ sampleRate: rate, channels: 1, samples });
      }),
    );
  });

  test('rounds to the nearest step and clips to the int16 range', () => {
    const bytes = encodeWav(Float32Array.of(0.4 / 32768, 0.6 / 32768, -1.4 / 32768, 1.5, -2, 32767.4 / 32768, NaN, -0), 16000);
    expect(Array.from(right(bytes).samples, (x) => x * 32768)).toEqual([0, 1, -1, 32767, -32768, 32767, 0, 0]);
  });

  test('decoded audio re-encodes within half a step', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ min: -1, max: Math.fround(32767 / 32768), noNaN: true }), { minLength: 1, maxLength: 100 }), (values) => {
        const decoded = right(encodeWav(Float32Array.from(values), 16000)).samples;
        decoded.forEach((x, i) => expect(Math.abs(x - values[i])).toBeLessThanOrEqual(0.5 / 32768 + 1e-9));
      }),
    );
  });

  test('refuses sample rates a header cannot hold', () => {
    for (const rate of [0, 1.5, -16000, 2 ** 32]) expect(() => encodeWav(new Float32Array(1), rate)).toThrow(RangeError);
  });
});

describe('decodeWav on hostile input', () => {
  /** The decoder's contract on any bytes: an Either, never a throw, memory within the input's size. */
  function checkTotal(bytes: Uint8Array): void {
    const decoded = decodeWav(bytes);
    if (E.isRight(decoded)) {
      const { samples, sampleRate, channels } = decoded.right;
      expect(samples.length).toBeGreaterThan(0);
      expect(samples.length).toBeLessThanOrEqual(bytes.length);
      expect(sampleRate).toBeGreaterThanOrEqual(1000);
      expect(sampleRate).toBeLessThanOrEqual(1_000_000);
      expect(channels).toBeGreaterThan(0);
      for (const x of samples) expect(Number.isFinite(x)).toBe(true);
    } else {
      expect(typeof decoded.left).toBe('string');
      expect(decoded.left).not.toMatch(/\n/);
    }
  }

  // lstmp/testing's valid files (every encoding, plain and extensible, 1–3 channels, chunks to skip), as bytes.
  const validFile = validWav({ maxChannels: 3 }).map((wav) => wav.bytes);

  type Mutation = { kind: 'flip'; at: number; value: number } | { kind: 'truncate'; at: number } | { kind: 'size'; at: number; value: number };
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({
      kind: fc.constant('size' as const),
      at: fc.nat(),
      value: fc.oneof(fc.constantFrom(0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0xfffffff8), fc.nat({ max: 0xffffffff })),
    }),
  );

  function mutate(wav: Uint8Array, mutations: Mutation[]): Uint8Array {
    let bytes = wav.slice();
    for (const m of mutations) {
      if (bytes.length === 0) break;
      const at = m.at % bytes.length;
      if (m.kind === 'flip') bytes[at] = m.value;
      else if (m.kind === 'truncate') bytes = bytes.slice(0, at);
      else if (at + 4 <= bytes.length) new DataView(bytes.buffer).setUint32(at, m.value, true);
    }
    return bytes;
  }

  test('valid files decode', () => {
    fc.assert(
      fc.property(validFile, (wav) => {
        expect(E.isRight(decodeWav(wav))).toBe(true);
      }),
    );
  });

  test('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), checkTotal), { numRuns: 2000 });
  });

  test('random bytes after a valid RIFF/WAVE header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (rest) => checkTotal(concat([ascii('RIFF'), u32(rest.length + 4), ascii('WAVE'), rest]))),
      { numRuns: 2000 },
    );
  });

  test('valid files with bytes flipped, cut short and sizes overwritten', () => {
    fc.assert(
      fc.property(validFile, fc.array(mutation, { minLength: 1, maxLength: 4 }), (wav, mutations) => checkTotal(mutate(wav, mutations))),
      { numRuns: 3000 },
    );
  });

  test('every chunk size field set to every extreme', () => {
    const wav = riff(chunk('LIST', ascii('INFOx')), fmt({ tag: 1, channels: 2, rate: 16000, bits: 16 }), chunk('data', intBytes([1, 2, 3, 4], 2)));
    for (const offset of [4, 16, 30, 54]) {
      for (const value of [0, 1, 2, 15, 16, 17, 0x7fffffff, 0xffffffff]) {
        const bytes = wav.slice();
        new DataView(bytes.buffer).setUint32(offset, value, true);
        checkTotal(bytes);
      }
    }
  });
});

describe('wavStreamHeader and decodePcm read a WAV as it arrives', () => {
  test('the header is found once its bytes are all there, never before', () => {
    fc.assert(
      fc.property(validWav({ maxChannels: 2 }), (wav) => {
        const dataStart = wav.bytes.findIndex((_, i) => String.fromCharCode(...wav.bytes.subarray(i, i + 4)) === 'data' && i >= 12) + 8;
        for (let length = 0; length < Math.min(wav.bytes.length, dataStart); length++) expect(wavStreamHeader(wav.bytes.subarray(0, length))).toEqual(E.right(null));
        const header = wavStreamHeader(wav.bytes.subarray(0, dataStart));
        expect(E.isRight(header) && header.right?.dataStart).toBe(dataStart);
        expect(E.isRight(header) && header.right?.format.sampleRate).toBe(wav.sampleRate);
      }),
      { numRuns: 100 },
    );
  });

  test('decodePcm takes whole sample frames only, leaving a partial one', () => {
    const pcm = decodePcm(Uint8Array.of(0, 0x40, 0, 0xc0, 0x12), rawS16le(16000));
    expect(pcm).toEqual(E.right({ samples: Float32Array.of(0.5, -0.5), used: 4 }));
  });

  test('says what is wrong: not RIFF, RIFX, data before fmt', () => {
    expect(wavStreamHeader(ascii('OggS....'))).toEqual(E.left('not a RIFF/WAVE stream (give --raw-rate for headerless PCM)'));
    expect(wavStreamHeader(ascii('RIFX'))).toEqual(E.left('big-endian RIFX files are not supported'));
    expect(wavStreamHeader(riff(chunk('data', intBytes([1, 2], 2)), fmt({ tag: 1, channels: 1, rate: 16000, bits: 16 })))).toEqual(
      E.left('the data chunk comes before the fmt chunk: the stream cannot be read as it arrives'),
    );
  });
});
