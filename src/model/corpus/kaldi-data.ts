import * as E from 'fp-ts/lib/Either.js';

/**
 * A Kaldi data directory's tables (wav.scp, text, utt2spk, segments): one
 * record per line, `<id> <fields…>`, blank lines skipped. Every parser here
 * returns the table in file order, or the first bad line as
 * `line N: <what is wrong>` (the caller prefixes the file name).
 */

/** Reads a table whose lines are an id then what `parseLine` makes of the rest; an id may appear once. */
function parseTable<T>(text: string, parseLine: (fields: string[], rest: string, id: string) => E.Either<string, T>): E.Either<string, Map<string, T>> {
  const table = new Map<string, T>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const fields = line.split(/\s+/);
    const id = fields[0];
    if (table.has(id)) return E.left(`line ${i + 1}: the id "${id}" appears twice`);
    const parsed = parseLine(fields.slice(1), line.slice(id.length).trim(), id);
    if (E.isLeft(parsed)) return E.left(`line ${i + 1}: ${parsed.left}`);
    table.set(id, parsed.right);
  }
  return E.right(table);
}

/**
 * wav.scp: id → WAV file path (the rest of the line, so a path may hold
 * spaces). Kaldi also allows a command whose output is the audio
 * (`sox x.flac -t wav - |`) and offsets into archives (`a.ark:1234`);
 * lstmp reads files only, so those are refused with what to do instead.
 *
 * @example parseWavScp('utt1 /data/utt1.wav\n') // Right(Map { 'utt1' => '/data/utt1.wav' })
 */
export function parseWavScp(text: string): E.Either<string, Map<string, string>> {
  return parseTable(text, (fields, rest, id) => {
    if (fields.length === 0) return E.left('expected "<id> <wav file>", got an id alone');
    if (rest.endsWith('|')) {
      const command = rest.slice(0, -1).trim();
      return E.left(`"${rest}" is a command, and lstmp reads WAV files only: write its output to a file (${command} > ${quoteForShell(id)}.wav) and list that file instead`);
    }
    if (/\.ark:\d+$/.test(rest)) {
      return E.left(`"${rest}" is an offset into a Kaldi archive, and lstmp reads WAV files only: write each recording to its own WAV file (wav-copy) and list those files instead`);
    }
    return E.right(rest);
  });
}

/** An id as a shell word, quoted when it holds anything but plain characters. */
function quoteForShell(word: string): string {
  return /^[\w.,:+@%=-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * text: utterance id → its words (none for an utterance without speech).
 *
 * @example parseText('utt1 ONE TWO\n') // Right(Map { 'utt1' => ['ONE', 'TWO'] })
 */
export function parseText(text: string): E.Either<string, Map<string, string[]>> {
  return parseTable(text, (fields) => E.right(fields));
}

/**
 * utt2spk: utterance id → speaker id, exactly two fields a line.
 *
 * @example parseUtt2spk('utt1 spk1\n') // Right(Map { 'utt1' => 'spk1' })
 */
export function parseUtt2spk(text: string): E.Either<string, Map<string, string>> {
  return parseTable(text, (fields) =>
    fields.length === 1 ? E.right(fields[0]) : E.left(`expected "<utterance-id> <speaker-id>", got ${fields.length + 1} field${fields.length === 0 ? '' : 's'}`),
  );
}

/** A stretch of a recording, in seconds; `end` is Infinity for Kaldi's -1, "till the end of the recording". */
export interface Segment {
  readonly recording: string;
  readonly start: number;
  readonly end: number;
}

/**
 * segments: segment id → its recording (an id of wav.scp) and its start and
 * end in seconds, `<segment-id> <recording-id> <start> <end>`. The start must
 * be ≥ 0 and the end after it, or -1 (till the end, as Kaldi's
 * extract-segments reads it). Kaldi's optional fifth field, a channel, is
 * refused: lstmp mixes channels down.
 *
 * @example parseSegments('seg1 rec1 0.5 2.25\n') // Right(Map { 'seg1' => { recording: 'rec1', start: 0.5, end: 2.25 } })
 */
export function parseSegments(text: string): E.Either<string, Map<string, Segment>> {
  return parseTable(text, (fields): E.Either<string, Segment> => {
    if (fields.length === 4) return E.left('a fifth field (a channel) is not supported: lstmp mixes channels down; split the channels into mono WAV files first');
    if (fields.length !== 3) return E.left(`expected "<segment-id> <recording-id> <start> <end>", got ${fields.length + 1} field${fields.length === 0 ? '' : 's'}`);
    const [recording, startField, endField] = fields;
    const start = Number(startField);
    const end = Number(endField);
    if (!Number.isFinite(start) || start < 0) return E.left(`the start must be a number of seconds ≥ 0, got "${startField}"`);
    if (!Number.isFinite(end)) return E.left(`the end must be a number of seconds (or -1 for the end of the recording), got "${endField}"`);
    if (end === -1) return E.right({ recording, start, end: Infinity });
    if (end <= start) return E.left(`the end ${endField} is not after the start ${startField}`);
    return E.right({ recording, start, end });
  });
}

/** The last fraction of a second a segment may run past its recording's end before it is refused (Kaldi's --max-overshoot). */
export const MAX_OVERSHOOT_SECONDS = 0.5;

/**
 * Which samples [start, end) of a recording of `length` samples at `rate` Hz
 * a segment covers, by Kaldi's extract-segments rule (so that frame counts
 * match Kaldi's alignments): times × rate truncated, an end within
 * {@link MAX_OVERSHOOT_SECONDS} past the recording cut to its end. A segment
 * starting after the recording, ending too far past it, or holding no
 * sample is a Left saying so.
 *
 * @example segmentSamples({ recording: 'r', start: 0.5, end: 1 }, 16000, 32000) // Right({ start: 8000, end: 16000 })
 */
export function segmentSamples(segment: Segment, rate: number, length: number): E.Either<string, { start: number; end: number }> {
  const seconds = (samples: number): string => `${+(samples / rate).toFixed(3)} s`;
  const start = Math.trunc(segment.start * rate);
  let end = segment.end === Infinity ? length : Math.trunc(segment.end * rate);
  if (start >= length) return E.left(`the segment starts at ${segment.start} s, the recording "${segment.recording}" lasts ${seconds(length)}`);
  if (end > length) {
    if (end >= length + Math.trunc(MAX_OVERSHOOT_SECONDS * rate)) {
      return E.left(`the segment ends at ${segment.end} s, more than ${MAX_OVERSHOOT_SECONDS} s after the recording "${segment.recording}" (${seconds(length)})`);
    }
    end = length;
  }
  if (end <= start) return E.left(`the segment holds no sample at ${rate} Hz`);
  return E.right({ start, end });
}

/**
 * An alignment made to last exactly `frames` frames: one that is up to
 * `tolerance` frames too long is trimmed at the end, one too short is padded
 * by repeating its last state (Kaldi and lstmp may frame the last few
 * milliseconds differently). Further off, or empty while the audio is not,
 * it is a Left saying by how much. The same array comes back when it fits.
 *
 * @example fitAlignment(Int32Array.of(4, 5), 3, 2) // Right([4, 5, 5])
 */
export function fitAlignment(states: Int32Array, frames: number, tolerance: number): E.Either<string, Int32Array> {
  if (states.length === frames) return E.right(states);
  const off = Math.abs(states.length - frames);
  if (off > tolerance) return E.left(`the alignment has ${states.length} frames, the audio ${frames}: ${off} apart, more than the tolerance of ${tolerance}`);
  if (states.length === 0) return E.left(`the alignment is empty, the audio has ${frames} frames`);
  if (states.length > frames) return E.right(states.slice(0, frames));
  const fitted = new Int32Array(frames);
  fitted.set(states);
  fitted.fill(states[states.length - 1], states.length);
  return E.right(fitted);
}
