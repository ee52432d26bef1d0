/**
 * fast-check arbitraries for WAV files, written byte by byte from the
 * RIFF/WAVE layout (calling none of lstmp's codecs), for properties of a WAV
 * reader: files it must read, each with the samples it was built from; files
 * it must refuse, each tagged with what is wrong; and files damaged in the
 * ways recorders damage them, which lstmp reads past (as sox, ffmpeg and
 * libsndfile do), each with the samples that survive.
 */
import fc from 'fast-check';
import { sampleRate } from './audio.js';

/** Sample encodings a WAV reader must read: unsigned 8-bit, signed 16-, 24- and 32-bit PCM, IEEE float of 32 and 64 bits. */
export type WavEncoding = 'pcm8' | 'pcm16' | 'pcm24' | 'pcm32' | 'float32' | 'float64';

export const WAV_ENCODINGS: readonly WavEncoding[] = ['pcm8', 'pcm16', 'pcm24', 'pcm32', 'float32', 'float64'];

const FORMAT_PCM = 0x0001;
const FORMAT_FLOAT = 0x0003;
const FORMAT_EXTENSIBLE = 0xfffe;
/** Bytes 2..15 of every KSDATAFORMAT_SUBTYPE GUID (bytes 0..1 are the format tag). */
const GUID_SUFFIX: readonly number[] = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
/**
 * The largest value written: 127/128, below which round(x·2^(bits−1)) fits
 * every integer width without clipping, so the only error is rounding.
 */
const LOUDEST = 127 / 128;

const bitsOf = (encoding: WavEncoding) => Number(encoding.replace(/\D/g, ''));
const tagOf = (encoding: WavEncoding) => (encoding.startsWith('float') ? FORMAT_FLOAT : FORMAT_PCM);

/** One chunk: its id, its body, and the size its header declares (the body's unless it lies). */
interface Chunk {
  readonly id: string;
  readonly body: Uint8Array;
  readonly declared?: number;
  /** false: no pad byte after an odd body (a streamed data chunk ending the file) */
  readonly padded?: boolean;
}

/** What a file is made of, before it is written: every valid file and every broken one starts here. */
interface WavParts {
  readonly encoding: WavEncoding;
  readonly channels: number;
  readonly sampleRate: number;
  readonly extensible: boolean;
  /** 16, or 18 with an empty extension (cbSize 0), as many writers of float files do; extensible files have 40 */
  readonly fmtSize: 16 | 18;
  /** [frames, channels] in [−1, 127/128] */
  readonly interleaved: Float32Array;
  readonly extras: readonly Extra[];
}

/** A chunk a reader must skip: where it sits, its id and its body (odd lengths carry a pad byte). */
interface Extra {
  readonly where: 'before fmt' | 'before data' | 'after data';
  readonly id: string;
  readonly body: Uint8Array;
}

/** The fields of a fmt chunk, each of which a broken file may get wrong. */
interface FmtFields {
  readonly tag: number;
  readonly channels: number;
  readonly sampleRate: number;
  readonly blockAlign: number;
  readonly bits: number;
  /** the subformat's tag and GUID suffix, for WAVE_FORMAT_EXTENSIBLE */
  readonly extensible: { readonly subformat: number; readonly suffix: readonly number[] } | null;
  /** bytes of the body: 16, 18, 40, or fewer for a short one */
  readonly size: number;
}

function fmtFieldsOf(parts: WavParts): FmtFields {
  const bits = bitsOf(parts.encoding);
  return {
    tag: parts.extensible ? FORMAT_EXTENSIBLE : tagOf(parts.encoding),
    channels: parts.channels,
    sampleRate: parts.sampleRate,
    blockAlign: (parts.channels * bits) / 8,
    bits,
    extensible: parts.extensible ? { subformat: tagOf(parts.encoding), suffix: GUID_SUFFIX } : null,
    size: parts.extensible ? 40 : parts.fmtSize,
  };
}

function fmtBody(f: FmtFields): Uint8Array {
  const body = new Uint8Array(Math.max(f.size, f.extensible ? 40 : 18));
  const view = new DataView(body.buffer);
  view.setUint16(0, f.tag, true);
  view.setUint16(2, f.channels, true);
  view.setUint32(4, f.sampleRate >>> 0, true);
  view.setUint32(8, (f.sampleRate * f.blockAlign) >>> 0, true); // byte rate: readers ignore it, writers must fill it
  view.setUint16(12, f.blockAlign & 0xffff, true);
  view.setUint16(14, f.bits & 0xffff, true);
  if (f.extensible) {
    view.setUint16(16, 22, true); // cbSize
    view.setUint16(18, f.bits & 0xffff, true); // valid bits: all of the container
    view.setUint32(20, f.channels === 1 ? 0x4 : 0x3, true); // channel mask: centre, or front left and right
    view.setUint16(24, f.extensible.subformat, true);
    body.set(f.extensible.suffix, 26);
  }
  return body.subarray(0, f.size);
}

/** The samples as the encoding stores them: integers rounded to nearest (8-bit offset by 128), floats as they are. */
function dataBody(encoding: WavEncoding, interleaved: ArrayLike<number>): Uint8Array {
  const bits = bitsOf(encoding);
  const width = bits / 8;
  const body = new Uint8Array(interleaved.length * width);
  const view = new DataView(body.buffer);
  for (let i = 0; i < interleaved.length; i++) {
    const x = interleaved[i];
    if (encoding === 'float32') view.setFloat32(i * width, x, true);
    else if (encoding === 'float64') view.setFloat64(i * width, x, true);
    else {
      const q = Math.round(x * 2 ** (bits - 1));
      const stored = encoding === 'pcm8' ? q + 128 : q;
      for (let b = 0; b < width; b++) body[i * width + b] = (stored >> (8 * b)) & 0xff; // two's complement, little-endian
    }
  }
  return body;
}

function chunksOf(parts: WavParts, fmt: FmtFields = fmtFieldsOf(parts)): Chunk[] {
  const extras = (where: Extra['where']) => parts.extras.filter((e) => e.where === where).map(({ id, body }) => ({ id, body }));
  return [...extras('before fmt'), { id: 'fmt ', body: fmtBody(fmt) }, ...extras('before data'), { id: 'data', body: dataBody(parts.encoding, parts.interleaved) }, ...extras('after data')];
}

/** The RIFF/WAVE file of `chunks`: 'RIFF', the size of what follows (or `riffDeclared`), 'WAVE', each chunk's header, body and pad byte. */
function riffOf(chunks: readonly Chunk[], riffDeclared?: number): Uint8Array {
  const size = chunks.reduce((n, c) => n + 8 + c.body.length + (c.body.length % 2 === 1 && c.padded !== false ? 1 : 0), 12);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  const ascii = (at: number, text: string) => bytes.set(Array.from(text, (c) => c.charCodeAt(0)), at);
  ascii(0, 'RIFF');
  view.setUint32(4, riffDeclared ?? size - 8, true);
  ascii(8, 'WAVE');
  let at = 12;
  for (const c of chunks) {
    ascii(at, c.id);
    view.setUint32(at + 4, c.declared ?? c.body.length, true);
    bytes.set(c.body, at + 8);
    at += 8 + c.body.length + (c.body.length % 2 === 1 && c.padded !== false ? 1 : 0); // the pad byte stays 0
  }
  return bytes;
}

/** Where each chunk's header starts in riffOf(chunks). */
function offsetsOf(chunks: readonly Chunk[]): number[] {
  const offsets: number[] = [];
  let at = 12;
  for (const c of chunks) {
    offsets.push(at);
    at += 8 + c.body.length + (c.body.length % 2 === 1 && c.padded !== false ? 1 : 0);
  }
  return offsets;
}

/** The mono mixdown (the channels' mean) in float64 of the first `frames` frames. */
function mixdown(interleaved: ArrayLike<number>, channels: number, frames = interleaved.length / channels): Float64Array {
  return Float64Array.from({ length: frames }, (_, f) => {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += interleaved[f * channels + c];
    return sum / channels;
  });
}

/**
 * Half a quantisation step for integers (2^−bits of full scale, rounding to
 * nearest), plus 2^−24 for the float32 a reader stores its mixdown in and the
 * order it sums channels in.
 */
const toleranceOf = (encoding: WavEncoding) => (encoding.startsWith('pcm') ? 2 ** -bitsOf(encoding) : 0) + 2 ** -24;

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

function describeParts(parts: WavParts): string {
  const frames = parts.interleaved.length / parts.channels;
  const layout = chunksOf(parts).map((c) => `${c.id.trim()}(${c.body.length})`);
  return `${parts.encoding}${parts.extensible ? ' extensible' : ''}, ${parts.channels} channel(s), ${parts.sampleRate} Hz, ${frames} frame(s); chunks ${layout.join(' ')}`;
}

/** Readable printing for fast-check's counterexamples: the recipe and the bytes in hex, which replay the case by themselves. */
function printable<T extends { readonly recipe: string; readonly bytes: Uint8Array }>(value: T): T {
  return Object.assign(value, { [fc.toStringMethod]: () => `${value.recipe}; bytes ${hex(value.bytes)}` });
}

/** Bounds of the WAV arbitraries' files. */
export interface WavBounds {
  /** default 1 to 2 (mono and stereo) */
  readonly maxChannels?: number;
  /** frames per file, default 1 to 40 */
  readonly maxFrames?: number;
  /** Hz; default {@link sampleRate}() */
  readonly sampleRate?: fc.Arbitrary<number>;
  /** default all of {@link WAV_ENCODINGS} */
  readonly encodings?: readonly WavEncoding[];
}

const extraIds = ['LIST', 'fact', 'junk', 'bext', 'cue ', 'id3 ', 'smpl'];

function wavParts(bounds: WavBounds, minFrames = 1): fc.Arbitrary<WavParts> {
  return fc
    .record({
      encoding: fc.constantFrom(...(bounds.encodings ?? WAV_ENCODINGS)),
      channels: fc.integer({ min: 1, max: bounds.maxChannels ?? 2 }),
      sampleRate: bounds.sampleRate ?? sampleRate(),
      extensible: fc.boolean(),
      fmtSize: fc.constantFrom<16 | 18>(16, 18),
      frames: fc.integer({ min: minFrames, max: Math.max(minFrames, bounds.maxFrames ?? 40) }),
      extras: fc.array(
        fc.record({ where: fc.constantFrom<Extra['where'][]>('before fmt', 'before data', 'after data'), id: fc.constantFrom(...extraIds), body: fc.uint8Array({ maxLength: 9 }) }),
        { maxLength: 3 },
      ),
    })
    .chain(({ frames, ...parts }) =>
      // Drawn value by value: fast-check's floats bring −1, the loudest value, 0, −0 and subnormals.
      fc.float32Array({ minLength: frames * parts.channels, maxLength: frames * parts.channels, min: -1, max: Math.fround(LOUDEST), noNaN: true }).map((interleaved) => ({ ...parts, interleaved })),
    );
}

/** A WAV file a reader must read, with what it was built from. */
export interface ValidWav {
  readonly bytes: Uint8Array;
  readonly encoding: WavEncoding;
  /** WAVE_FORMAT_EXTENSIBLE, with the encoding as its subformat */
  readonly extensible: boolean;
  readonly channels: number;
  /** Hz */
  readonly sampleRate: number;
  /** [frames, channels], in [−1, 127/128]: what was written, before quantisation */
  readonly interleaved: Float32Array;
  /** [frames] the mono mixdown (the channels' mean) of `interleaved`, in float64: what a reader that mixes down must give */
  readonly samples: Float64Array;
  /** the largest |read − samples| the encoding's quantisation allows, in full-scale units */
  readonly tolerance: number;
  /** the chunk ids in file order */
  readonly chunks: readonly string[];
  readonly recipe: string;
}

function validOf(parts: WavParts): ValidWav {
  const chunks = chunksOf(parts);
  return printable({
    bytes: riffOf(chunks),
    encoding: parts.encoding,
    extensible: parts.extensible,
    channels: parts.channels,
    sampleRate: parts.sampleRate,
    interleaved: parts.interleaved,
    samples: mixdown(parts.interleaved, parts.channels),
    tolerance: toleranceOf(parts.encoding),
    chunks: chunks.map((c) => c.id),
    recipe: describeParts(parts),
  });
}

/**
 * Valid WAV files: PCM of 8 (unsigned), 16, 24 and 32 bits and IEEE float of
 * 32 and 64 bits; mono or stereo (up to `maxChannels`); plain (a 16-byte fmt,
 * or 18 with an empty extension) or WAVE_FORMAT_EXTENSIBLE; at any rate; up
 * to three chunks a reader must skip (LIST, fact, junk, …, with odd sizes and
 * their pad byte) before fmt, between fmt and data, or after data, and an
 * odd-sized data chunk with its pad byte (8-bit mono, 24-bit, odd frames).
 * Each comes with the samples it was built from: a reader gives `samples`
 * within `tolerance`, element by element.
 *
 * @example
 * fc.assert(fc.property(validWav(), (wav) => {
 *   const decoded = decodeWav(wav.bytes);
 *   if (E.isLeft(decoded)) throw new Error(decoded.left);
 *   closeTo(decoded.right.samples, wav.samples, wav.tolerance);
 * }));
 */
export function validWav(bounds: WavBounds = {}): fc.Arbitrary<ValidWav> {
  return wavParts(bounds).map(validOf);
}

/** What is wrong with an {@link adversarialWav}: one thing, each a reason to refuse the file. */
export type WavDefect =
  | 'not RIFF'
  | 'not WAVE'
  | 'truncated header'
  | 'truncated before the first frame'
  | 'chunk larger than the file'
  | 'unknown format'
  | 'zero channels'
  | 'absurd sample rate'
  | 'bad block align'
  | 'bad bits per sample'
  | 'short fmt chunk'
  | 'no fmt chunk'
  | 'no data chunk'
  | 'empty data'
  | 'non-finite samples';

/** A file a reader must refuse, and why. */
export interface AdversarialWav {
  readonly bytes: Uint8Array;
  readonly defect: WavDefect;
  /** the defect in this file, with its numbers: "fmt declares 0 channels" */
  readonly detail: string;
  /** the defect, its detail and the valid file it was broken from, in words */
  readonly recipe: string;
}

/** Codecs a WAV reader of PCM and float meets and cannot read, by format tag. */
const FOREIGN_CODECS = [0x0002, 0x0006, 0x0007, 0x0011, 0x0031, 0x0050, 0x0055, 0x0000, 0xffff];
const u32 = fc.integer({ min: 0, max: 0xffffffff });

/** One adversarial case from a valid file's parts: the defect, and an arbitrary of its bytes and detail. */
type Breaker = (parts: WavParts) => fc.Arbitrary<{ readonly bytes: Uint8Array; readonly detail: string }>;

const withFmt = (parts: WavParts, change: Partial<FmtFields>) => riffOf(chunksOf(parts, { ...fmtFieldsOf(parts), ...change }));

const breakers: Record<WavDefect, Breaker> = {
  'not RIFF': (parts) =>
    fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ bytes, detail: 'random bytes' })),
      fc.constantFrom('RIFX', 'RF64', 'riff', 'FORM').map((id) => ({ bytes: replaceAscii(riffOf(chunksOf(parts)), 0, id), detail: `starts '${id}'` })),
      fc.string({ maxLength: 40 }).map((text) => ({ bytes: new TextEncoder().encode(text), detail: `text ${JSON.stringify(text)}` })),
    ).map(({ bytes, detail }) => ({ bytes: startsRiff(bytes) ? replaceAscii(bytes, 0, 'RIFX') : bytes, detail })),
  'not WAVE': (parts) =>
    fc.oneof(fc.constantFrom('AVI ', 'RMID', 'wave', 'WAV '), fc.string({ minLength: 4, maxLength: 4, unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) }).filter((s) => s !== 'WAVE')).map((form) => ({
      bytes: replaceAscii(riffOf(chunksOf(parts)), 8, form),
      detail: `a RIFF file of form '${form}'`,
    })),
  'truncated header': (parts) => fc.integer({ min: 0, max: 11 }).map((length) => ({ bytes: riffOf(chunksOf(parts)).slice(0, length), detail: `${length} bytes of the 12-byte RIFF header` })),
  'truncated before the first frame': (parts) => {
    const chunks = chunksOf(parts);
    const data = offsetsOf(chunks)[chunks.findIndex((c) => c.id === 'data')];
    // Anywhere from the end of the RIFF header to the byte before the first whole frame.
    return fc.integer({ min: 12, max: data + 8 + fmtFieldsOf(parts).blockAlign - 1 }).map((length) => ({ bytes: riffOf(chunks).slice(0, length), detail: `cut at byte ${length}; the data chunk's header starts at ${data}` }));
  },
  'chunk larger than the file': (parts) => {
    const chunks = chunksOf(parts);
    const before = chunks.slice(0, chunks.findIndex((c) => c.id === 'data'));
    const offsets = offsetsOf(chunks);
    const total = riffOf(chunks).length;
    // A chunk before data (after it a reader has what it needs and may stop): its size past the file's end.
    return fc.tuple(fc.integer({ min: 0, max: before.length - 1 }), u32).map(([which, value]) => {
      const remain = total - offsets[which] - 8;
      const declared = remain + 1 + (value % (0xffffffff - remain));
      const bytes = riffOf(chunks);
      new DataView(bytes.buffer).setUint32(offsets[which] + 4, declared, true);
      return { bytes, detail: `'${chunks[which].id}' declares ${declared} bytes, ${remain} remain` };
    });
  },
  'unknown format': (parts) =>
    fc.oneof(
      fc.oneof(fc.constantFrom(...FOREIGN_CODECS), fc.integer({ min: 0, max: 0xffff })).filter((tag) => ![FORMAT_PCM, FORMAT_FLOAT, FORMAT_EXTENSIBLE].includes(tag)).map((tag) => ({
        bytes: withFmt(parts, { tag }),
        detail: `format tag 0x${tag.toString(16).padStart(4, '0')}`,
      })),
      fc.oneof(fc.constantFrom(...FOREIGN_CODECS), fc.integer({ min: 0, max: 0xffff })).filter((subformat) => subformat !== FORMAT_PCM && subformat !== FORMAT_FLOAT).map((subformat) => ({
        bytes: withFmt(parts, { tag: FORMAT_EXTENSIBLE, size: 40, extensible: { subformat, suffix: GUID_SUFFIX } }),
        detail: `extensible, subformat 0x${subformat.toString(16).padStart(4, '0')}`,
      })),
      fc.tuple(fc.integer({ min: 0, max: GUID_SUFFIX.length - 1 }), fc.integer({ min: 1, max: 255 })).map(([at, flip]) => ({
        bytes: withFmt(parts, { tag: FORMAT_EXTENSIBLE, size: 40, extensible: { subformat: tagOf(parts.encoding), suffix: GUID_SUFFIX.map((b, i) => (i === at ? b ^ flip : b)) } }),
        detail: `extensible, a subformat GUID not of KSDATAFORMAT_SUBTYPE (byte ${at + 2} differs)`,
      })),
    ),
  'zero channels': (parts) => fc.constant({ bytes: withFmt(parts, { channels: 0 }), detail: 'fmt declares 0 channels' }),
  'absurd sample rate': (parts) =>
    fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 999 }), fc.integer({ min: 1_000_001, max: 0xffffffff })).map((rate) => ({ bytes: withFmt(parts, { sampleRate: rate }), detail: `fmt declares ${rate} Hz` })),
  'bad block align': (parts) => {
    const right = fmtFieldsOf(parts).blockAlign;
    return fc.integer({ min: 0, max: 0xffff }).filter((b) => b !== right).map((blockAlign) => ({ bytes: withFmt(parts, { blockAlign }), detail: `block align ${blockAlign}, want ${right}` }));
  },
  'bad bits per sample': (parts) => {
    const float = tagOf(parts.encoding) === FORMAT_FLOAT;
    const bits = float ? fc.integer({ min: 0, max: 0xffff }).filter((b) => b !== 32 && b !== 64) : fc.oneof(fc.constant(0), fc.integer({ min: 33, max: 0xffff }));
    return bits.map((b) => ({ bytes: withFmt(parts, { bits: b, blockAlign: parts.channels * Math.ceil(b / 8) }), detail: `${float ? 'float' : 'PCM'} of ${b} bits per sample` }));
  },
  'short fmt chunk': (parts) =>
    parts.extensible
      ? fc.integer({ min: 16, max: 39 }).map((size) => ({ bytes: withFmt(parts, { size }), detail: `an extensible fmt chunk of ${size} bytes` }))
      : fc.integer({ min: 0, max: 15 }).map((size) => ({ bytes: withFmt(parts, { size }), detail: `a fmt chunk of ${size} bytes` })),
  'no fmt chunk': (parts) => fc.constant({ bytes: riffOf(chunksOf(parts).filter((c) => c.id !== 'fmt ')), detail: 'no fmt chunk' }),
  'no data chunk': (parts) => fc.constant({ bytes: riffOf(chunksOf(parts).filter((c) => c.id !== 'data')), detail: 'no data chunk' }),
  'empty data': (parts) => {
    const blockAlign = fmtFieldsOf(parts).blockAlign;
    const emptied = (body: Uint8Array, declared?: number) => riffOf(chunksOf(parts).map((c) => (c.id === 'data' ? { ...c, body, declared } : c)));
    return fc.oneof(
      fc.constant({ bytes: emptied(dataBody(parts.encoding, parts.interleaved), 0), detail: `the data chunk declares 0 bytes and holds ${parts.interleaved.length * (blockAlign / parts.channels)}` }),
      fc.integer({ min: 0, max: blockAlign - 1 }).map((length) => ({ bytes: emptied(new Uint8Array(length).fill(0x40)), detail: `${length} bytes of data, a frame has ${blockAlign}` })),
    );
  },
  'non-finite samples': (parts) => {
    const frames = parts.interleaved.length / parts.channels;
    // Beyond float32 but not float64: values no mixdown of the channels brings back into range.
    const bad = parts.encoding === 'float32' ? fc.constantFrom(NaN, Infinity, -Infinity) : fc.constantFrom(NaN, Infinity, -Infinity, -Number.MAX_VALUE, 3.5e38 * parts.channels);
    return fc.tuple(fc.integer({ min: 0, max: frames - 1 }), bad).map(([frame, value]) => {
      const interleaved = Float64Array.from(parts.interleaved);
      interleaved[frame * parts.channels] = value;
      const chunks = chunksOf(parts).map((c) => (c.id === 'data' ? { ...c, body: dataBody(parts.encoding, interleaved) } : c));
      return { bytes: riffOf(chunks), detail: `${parts.encoding} ${value} in channel 0 of frame ${frame}` };
    });
  },
};

function startsRiff(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && String.fromCharCode(...bytes.subarray(0, 4)) === 'RIFF';
}

function replaceAscii(bytes: Uint8Array, at: number, text: string): Uint8Array {
  const out = bytes.slice();
  for (let i = 0; i < text.length && at + i < out.length; i++) out[at + i] = text.charCodeAt(i);
  return out;
}

/** Every {@link WavDefect}, in the order {@link adversarialWav} lists them. */
export const WAV_DEFECTS = Object.keys(breakers) as readonly WavDefect[];

/**
 * WAV files a reader must refuse, each broken in one way from a valid file
 * ({@link validWav}'s, small), tagged with its `defect` and the `detail`:
 * bytes that are not RIFF (random, text, RIFX, RF64) or not WAVE; a header cut
 * short; a file cut anywhere before its first whole frame of data; a chunk
 * before data declaring more bytes than the file holds; format tags of other
 * codecs (ADPCM, A-law, µ-law, MP3, any unknown tag, as plain or extensible
 * subformats, or a foreign subformat GUID); 0 channels; sample rates of 0,
 * below 1000 Hz or above 1 MHz; a block align or bits per sample that do not
 * match; a fmt chunk too short; no fmt or no data chunk; a data chunk
 * declaring 0 bytes or holding less than one frame; NaN, ±Infinity, or a
 * float64 beyond float32's range among the samples. `defects` limits the
 * draw to some of them; non-finite samples are drawn in float files
 * whatever `encodings` says.
 *
 * A reader may still read what these files hold; lstmp's decodeWav refuses
 * each with a one-line reason, and so must one that follows its contract.
 *
 * @example
 * fc.assert(fc.property(adversarialWav(), ({ bytes }) => E.isLeft(decodeWav(bytes))));
 */
export function adversarialWav(options: WavBounds & { readonly defects?: readonly WavDefect[] } = {}): fc.Arbitrary<AdversarialWav> {
  const defects = options.defects ?? WAV_DEFECTS;
  return fc.oneof(
    ...defects.map((defect) =>
      // Samples can only be non-finite in a float file.
      wavParts({ maxFrames: 8, ...options, ...(defect === 'non-finite samples' ? { encodings: ['float32', 'float64'] as const } : {}) }).chain((parts) =>
        breakers[defect](parts).map(({ bytes, detail }) => printable({ bytes, defect, detail, recipe: `${defect} (${detail}), broken from ${describeParts(parts)}` })),
      ),
    ),
  );
}

/** Damage a reader may read past, as lstmp's decodeWav does. */
export type WavDamage = 'lying RIFF size' | 'data larger than the file' | 'truncated data';

/** A damaged file with the samples that survive its damage. */
export interface RecoverableWav extends ValidWav {
  readonly damage: WavDamage;
  readonly detail: string;
}

/**
 * WAV files damaged the ways recorders and copies damage them, which lstmp's
 * decodeWav reads past (as sox, ffmpeg and libsndfile do), each with the
 * samples a lenient reader recovers (`samples`, within `tolerance`):
 *
 * - 'lying RIFF size': the RIFF header's size is any other number; the
 *   chunks say where everything is, so the whole file is read;
 * - 'data larger than the file': a data chunk ending the file declares more
 *   bytes than remain (0xFFFFFFFF is what streaming recorders leave); every
 *   frame there is read;
 * - 'truncated data': the file is cut inside its data after at least one
 *   whole frame (files of at least 2 frames, whatever `maxFrames` says); the
 *   whole frames before the cut are read.
 *
 * A stricter reader may refuse these instead; then its property is "refused
 * or these samples", never anything else.
 *
 * @example
 * fc.assert(fc.property(recoverableWav(), (wav) => {
 *   const decoded = decodeWav(wav.bytes);
 *   if (E.isLeft(decoded)) throw new Error(`${wav.damage}: ${decoded.left}`);
 *   closeTo(decoded.right.samples, wav.samples, wav.tolerance);
 * }));
 */
export function recoverableWav(bounds: WavBounds = {}): fc.Arbitrary<RecoverableWav> {
  const damaged = (damage: WavDamage, make: (parts: WavParts) => fc.Arbitrary<{ bytes: Uint8Array; frames: number; detail: string }>, minFrames = 1) =>
    wavParts(bounds, minFrames).chain((parts) =>
      make(parts).map(({ bytes, frames, detail }) => {
        const valid = validOf(parts);
        return printable({ ...valid, bytes, samples: mixdown(parts.interleaved, parts.channels, frames), damage, detail, recipe: `${valid.recipe}; ${damage}: ${detail}` });
      }),
    );
  const frames = (parts: WavParts) => parts.interleaved.length / parts.channels;
  return fc.oneof(
    damaged('lying RIFF size', (parts) => {
      const bytes = riffOf(chunksOf(parts));
      return u32.filter((size) => size !== bytes.length - 8).map((size) => ({ bytes: riffOf(chunksOf(parts), size), frames: frames(parts), detail: `RIFF declares ${size} bytes, ${bytes.length - 8} follow` }));
    }),
    damaged('data larger than the file', (parts) => {
      // data last and unpadded: nothing after it to be taken for samples
      const body = dataBody(parts.encoding, parts.interleaved);
      return fc.oneof(fc.constant(0xffffffff), fc.integer({ min: body.length + 1, max: 0xffffffff })).map((declared) => {
        const chunks = chunksOf({ ...parts, extras: parts.extras.filter((e) => e.where !== 'after data') }).map((c) => (c.id === 'data' ? { ...c, declared, padded: false } : c));
        return { bytes: riffOf(chunks), frames: frames(parts), detail: `data declares ${declared} bytes, ${body.length} remain` };
      });
    }),
    damaged(
      'truncated data',
      (parts) => {
        const chunks = chunksOf(parts);
        const data = offsetsOf(chunks)[chunks.findIndex((c) => c.id === 'data')] + 8;
        const blockAlign = fmtFieldsOf(parts).blockAlign;
        // 1 to all but one whole frames, and part of the next: the cut is inside the data, after a frame
        return fc.tuple(fc.integer({ min: 1, max: frames(parts) - 1 }), fc.integer({ min: 0, max: blockAlign - 1 })).map(([kept, extra]) => {
          const length = data + kept * blockAlign + extra;
          return { bytes: riffOf(chunks).slice(0, length), frames: kept, detail: `cut at byte ${length}: ${kept * blockAlign + extra} of ${frames(parts) * blockAlign} bytes of data, frames of ${blockAlign}` };
        });
      },
      2,
    ),
  );
}
