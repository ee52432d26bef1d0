import * as E from 'fp-ts/lib/Either.js';

/**
 * RecognizedUtterance audio: the mono mixdown (the average of the channels) as floats,
 * integers scaled to [-1, 1) (int16 / 32768 and the like). `channels` is how
 * many the file had before mixing.
 */
export interface Audio {
  sampleRate: number;
  channels: number;
  samples: Float32Array;
}

/**
 * Outside these a declared sample rate is a corrupt header, not a recording;
 * the floor also bounds how much resampling to 16 kHz can multiply the data.
 */
const MIN_SAMPLE_RATE = 1000;
const MAX_SAMPLE_RATE = 1_000_000;
const FORMAT_PCM = 0x0001;
const FORMAT_FLOAT = 0x0003;
const FORMAT_EXTENSIBLE = 0xfffe;
/** Bytes 2..15 shared by every KSDATAFORMAT_SUBTYPE GUID; bytes 0..1 are the format tag. */
const SUBFORMAT_SUFFIX = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
const CODEC_NAMES: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0006: 'A-law',
  0x0007: 'µ-law',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0050: 'MPEG',
  0x0055: 'MPEG layer 3',
};

/** How a WAV file's (or a raw stream's) sample frames are laid out. */
export interface PcmFormat {
  tag: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  /** Bytes per sample of one channel (the container: 12-bit PCM lives in 2 bytes). */
  width: number;
}

/**
 * Reads a RIFF/WAVE file: PCM of 8 (unsigned), 16, 24 or 32 bits, IEEE float
 * of 32 or 64 bits, plain or WAVE_FORMAT_EXTENSIBLE, any number of channels.
 * Unknown chunks (LIST, fact, ...) are skipped, honouring their pad byte;
 * parsing stops once fmt and data are found. Float data is passed through
 * unscaled (already normalised by convention); non-finite floats are refused.
 *
 * A data chunk declaring more bytes than the file holds is clamped to what is
 * there, as sox, ffmpeg and libsndfile do: recorders that stream write a
 * placeholder size (0xFFFFFFFF) and truncated recordings are common; a
 * declared size of 0 is taken at its word (no samples). Every other chunk
 * must fit in the file. Nothing is allocated from a declared size
 * before it is checked against the real length, so memory stays within a
 * small multiple of `bytes.length`.
 *
 * A Left is a short phrase without the file name: the caller prefixes it.
 *
 * @example decodeWav(readBytes('a.wav')) // Right({ sampleRate: 16000, channels: 1, samples })
 */
export function decodeWav(bytes: Uint8Array): E.Either<string, Audio> {
  if (bytes.length < 12) {
    return bytes.length >= 4 && tagAt(bytes, 0) === 'RIFF' ? E.left('truncated header') : E.left('not a RIFF/WAVE file');
  }
  if (tagAt(bytes, 0) !== 'RIFF' || tagAt(bytes, 8) !== 'WAVE') {
    if (tagAt(bytes, 0) === 'RIFX') return E.left('big-endian RIFX files are not supported');
    if (tagAt(bytes, 0) === 'RF64') return E.left('RF64 files are not supported');
    return E.left('not a RIFF/WAVE file');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let format: E.Either<string, PcmFormat> | null = null;
  let data: { start: number; length: number } | null = null;
  let at = 12;
  while ((format === null || data === null) && at + 8 <= bytes.length) {
    const id = tagAt(bytes, at);
    const declared = view.getUint32(at + 4, true);
    const start = at + 8;
    const left = bytes.length - start;
    if (id === 'data') {
      if (data === null) data = { start, length: Math.min(declared, left) };
    } else if (declared > left) {
      return E.left(`'${printable(id)}' chunk declares ${declared} bytes but only ${left} remain (truncated or corrupt)`);
    } else if (id === 'fmt ' && format === null) {
      format = readFormat(view, start, declared);
    }
    at = start + declared + (declared & 1);
  }
  if (format !== null && E.isLeft(format)) return format;
  if ((format === null || data === null) && at < bytes.length) return E.left('truncated (a chunk header is cut short)');
  if (format === null) return E.left('no fmt chunk');
  if (data === null) return E.left('no data chunk');
  return readSamples(view, format.right, data.start, data.length);
}

function readFormat(view: DataView, start: number, size: number): E.Either<string, PcmFormat> {
  if (size < 16) return E.left(`fmt chunk too short (${size} bytes, need 16)`);
  let tag = view.getUint16(start, true);
  const channels = view.getUint16(start + 2, true);
  const sampleRate = view.getUint32(start + 4, true);
  const blockAlign = view.getUint16(start + 12, true);
  const bits = view.getUint16(start + 14, true);
  if (tag === FORMAT_EXTENSIBLE) {
    if (size < 40) return E.left(`extensible fmt chunk too short (${size} bytes, need 40)`);
    tag = view.getUint16(start + 24, true);
    for (let i = 0; i < SUBFORMAT_SUFFIX.length; i++) {
      if (view.getUint8(start + 26 + i) !== SUBFORMAT_SUFFIX[i]) return E.left('unsupported extensible subformat (unknown GUID)');
    }
    if (tag !== FORMAT_PCM && tag !== FORMAT_FLOAT) return E.left(`unsupported codec: extensible subformat ${codecName(tag)}, only PCM and IEEE float`);
  } else if (tag !== FORMAT_PCM && tag !== FORMAT_FLOAT) {
    return E.left(`unsupported codec: format tag ${codecName(tag)}, only PCM and IEEE float`);
  }
  if (channels === 0) return E.left('0 channels');
  if (sampleRate === 0) return E.left('sample rate 0 Hz');
  if (sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) return E.left(`absurd sample rate ${sampleRate} Hz`);
  const width = Math.ceil(bits / 8);
  if (tag === FORMAT_PCM && (bits === 0 || bits > 32)) return E.left(`unsupported PCM bits per sample ${bits}`);
  if (tag === FORMAT_FLOAT && bits !== 32 && bits !== 64) return E.left(`unsupported float bits per sample ${bits}`);
  if (blockAlign !== channels * width) {
    return E.left(`block align ${blockAlign} does not match ${channels} channel(s) × ${bits} bits`);
  }
  return E.right({ tag, channels, sampleRate, blockAlign, width });
}

function readSamples(view: DataView, format: PcmFormat, start: number, length: number): E.Either<string, Audio> {
  const { channels, blockAlign } = format;
  const frames = Math.floor(length / blockAlign);
  if (frames === 0) return E.left('zero samples (empty data chunk)');
  const read = sampleReader(view, format);
  const samples = new Float32Array(frames);
  const mix = 1 / channels;
  for (let f = 0, at = start; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++, at += format.width) sum += read(at);
    samples[f] = sum * mix;
    if (!Number.isFinite(samples[f])) return E.left(`non-finite or out-of-range float sample in frame ${f}`);
  }
  return E.right({ sampleRate: format.sampleRate, channels, samples });
}

/** Reads one sample at a byte offset, scaled to [-1, 1). Samples are left-justified in their container. */
function sampleReader(view: DataView, { tag, width }: PcmFormat): (at: number) => number {
  if (tag === FORMAT_FLOAT) return width === 4 ? (at) => view.getFloat32(at, true) : (at) => view.getFloat64(at, true);
  switch (width) {
    case 1:
      return (at) => (view.getUint8(at) - 128) / 128;
    case 2:
      return (at) => view.getInt16(at, true) / 32768;
    case 3:
      return (at) => (view.getUint16(at, true) | (view.getInt8(at + 2) << 16)) / 8388608;
    default:
      return (at) => view.getInt32(at, true) / 2147483648;
  }
}

/** The four ASCII characters at `at`. */
function tagAt(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}

/** A chunk id fit to print: non-printable bytes become '?'. */
function printable(id: string): string {
  return id.replace(/[^\x20-\x7e]/g, '?');
}

function codecName(tag: number): string {
  const hex = `0x${tag.toString(16).padStart(4, '0')}`;
  const name = CODEC_NAMES[tag];
  return name ? `${hex} (${name})` : hex;
}

/** Raw signed 16-bit little-endian mono PCM at `sampleRate` (what `arecord -f S16_LE` records). */
export function rawS16le(sampleRate: number): PcmFormat {
  return { tag: FORMAT_PCM, channels: 1, sampleRate, blockAlign: 2, width: 2 };
}

/** A data chunk declaring this many bytes or more is a streaming recorder's placeholder, not a size. */
const UNKNOWN_DATA_SIZE = 0x7fff_f000;

/** Bytes of header a WAV stream may carry before its data chunk; beyond, it is refused rather than buffered without end. */
const MAX_STREAM_HEADER = 1 << 20;

/**
 * The start of a WAV file as it arrives: its format, where its samples
 * begin and how many bytes of them there are, once the bytes so far reach
 * the data chunk; null while they do not yet. A recorder writing to a pipe
 * cannot know the size and writes a placeholder (0, or 0x7FFFFFFF and up, as
 * arecord, sox and ffmpeg do): then `dataBytes` is null and the samples run
 * to the end of the stream. A Left says what is wrong, as
 * {@link decodeWav}'s do.
 *
 * @example wavStreamHeader(firstBytes) // Right({ format, dataStart: 44, dataBytes: 32000 }), or Right(null): read more
 */
export function wavStreamHeader(bytes: Uint8Array): E.Either<string, { format: PcmFormat; dataStart: number; dataBytes: number | null } | null> {
  if (bytes.length >= 4 && tagAt(bytes, 0) !== 'RIFF') {
    if (tagAt(bytes, 0) === 'RIFX') return E.left('big-endian RIFX files are not supported');
    if (tagAt(bytes, 0) === 'RF64') return E.left('RF64 files are not supported');
    return E.left('not a RIFF/WAVE stream (give --raw-rate for headerless PCM)');
  }
  if (bytes.length < 12) return E.right(null);
  if (tagAt(bytes, 8) !== 'WAVE') return E.left('not a RIFF/WAVE stream (give --raw-rate for headerless PCM)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let format: PcmFormat | null = null;
  for (let at = 12; at + 8 <= bytes.length; ) {
    const id = tagAt(bytes, at);
    const declared = view.getUint32(at + 4, true);
    const start = at + 8;
    if (id === 'data') {
      if (format === null) return E.left('the data chunk comes before the fmt chunk: the stream cannot be read as it arrives');
      return E.right({ format, dataStart: start, dataBytes: declared === 0 || declared >= UNKNOWN_DATA_SIZE ? null : declared });
    }
    if (start + declared > MAX_STREAM_HEADER) return E.left(`no data chunk in the first ${MAX_STREAM_HEADER} bytes`);
    if (start + declared > bytes.length) return E.right(null);
    if (id === 'fmt ' && format === null) {
      const read = readFormat(view, start, declared);
      if (E.isLeft(read)) return read;
      format = read.right;
    }
    at = start + declared + (declared & 1);
  }
  return bytes.length > MAX_STREAM_HEADER ? E.left(`no data chunk in the first ${MAX_STREAM_HEADER} bytes`) : E.right(null);
}

/**
 * The whole sample frames at the start of `bytes` in `format`, mixed to mono
 * and scaled as {@link decodeWav} scales them, and how many bytes they took
 * (a partial frame at the end is left for the next call); or which frame
 * holds a non-finite float.
 *
 * @example decodePcm(chunk, rawS16le(16000)) // Right({ samples, used })
 */
export function decodePcm(bytes: Uint8Array, format: PcmFormat): E.Either<string, { samples: Float32Array; used: number }> {
  const frames = Math.floor(bytes.length / format.blockAlign);
  if (frames === 0) return E.right({ samples: new Float32Array(0), used: 0 });
  const audio = readSamples(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), format, 0, frames * format.blockAlign);
  return E.map(({ samples }: Audio) => ({ samples, used: frames * format.blockAlign }))(audio);
}

/**
 * A 16-bit PCM mono WAV file of `samples` (nominally in [-1, 1)): each value
 * times 32768, rounded to nearest and clipped to the int16 range (NaN → 0).
 *
 * @example writeAtomic('a.wav', encodeWav(audio.samples, 16000))
 */
export function encodeWav(samples: Float32Array, sampleRate: number): Uint8Array {
  if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > 0xffffffff / 2) {
    throw new RangeError(`sample rate must be a whole number of Hz, got ${sampleRate}`);
  }
  const dataBytes = 2 * samples.length;
  if (dataBytes + 36 > 0xffffffff) throw new RangeError(`${samples.length} samples do not fit in a WAV file`);
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  const ascii = (at: number, text: string): void => {
    for (let i = 0; i < 4; i++) out[at + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, FORMAT_PCM, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, 2 * sampleRate, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < samples.length; i++) {
    const value = Math.round(samples[i] * 32768);
    view.setInt16(44 + 2 * i, value > 32767 ? 32767 : value < -32768 ? -32768 : value || 0, true);
  }
  return out;
}
