import * as E from 'fp-ts/lib/Either.js';
import { editAlignment } from '../../ops/search/edit-distance.js';
import { silentRunStart } from '../../ops/dsp/silence.js';
import { SILENCE, isPhoneName } from '../corpus/states.js';

/**
 * A synthesiser event as the segmenter needs it: eSpeak reports a `phoneme`
 * event (id = IPA, "" for a pause) where each phoneme's audio starts and a
 * `mark` event (id = name) where each SSML mark is passed.
 */
export interface SpeechEvent {
  readonly type: string;
  readonly id: string | number | undefined;
  readonly audioPositionMs: number;
}

/**
 * A stretch of audio [start, end) (samples) holding one phone of word
 * `word` (its position in the utterance), or silence (`phone` = "sil",
 * `word` = −1). Segments are contiguous.
 */
export interface PhoneSegment {
  readonly phone: string;
  readonly word: number;
  readonly start: number;
  readonly end: number;
}

/** The SSML mark put before word k, which tells which phonemes belong to which word. */
export function wordMark(k: number): string {
  return `w${k}`;
}

/** An IPA phoneme without its stress marks: stress is not a separate phone here. */
export function withoutStress(ipa: string): string {
  return ipa.replace(/[ˈˌ]/g, '');
}

/**
 * Reads phone segments from eSpeak's events for audio of `sampleCount`
 * samples at `sampleRate`, the text having marked word k with
 * {@link wordMark}(k). Each phoneme lasts until the next phoneme event (a
 * pause's "" included), the last one until the end of the audio; audio before
 * the first phoneme and pauses are silence. Phonemes are given to the word
 * whose mark came last in event order (times can tie at word boundaries).
 * Refused: a phoneme before the first mark, a word without phonemes.
 *
 * @example phoneSegments(events, speech.samples.length, 22050, 3)
 */
export function phoneSegments(events: readonly SpeechEvent[], sampleCount: number, sampleRate: number, wordCount: number): E.Either<string, PhoneSegment[]> {
  const marks = new Map(Array.from({ length: wordCount }, (_, k) => [wordMark(k), k]));
  const starts: { phone: string; word: number; start: number }[] = [];
  let word = -1;
  for (const event of events) {
    if (event.type === 'mark' && typeof event.id === 'string' && marks.has(event.id)) word = marks.get(event.id) as number;
    if (event.type !== 'phoneme') continue;
    const phone = withoutStress(typeof event.id === 'string' ? event.id : '');
    const start = Math.min(sampleCount, Math.round((event.audioPositionMs * sampleRate) / 1000));
    if (phone === '') {
      starts.push({ phone: SILENCE, word: -1, start });
      continue;
    }
    if (!isPhoneName(phone) || phone === SILENCE) return E.left(`unexpected phoneme ${JSON.stringify(event.id)}`);
    if (word < 0) return E.left(`phoneme "${phone}" at ${event.audioPositionMs} ms before the first word`);
    starts.push({ phone, word, start });
  }
  const segments: PhoneSegment[] = [];
  const push = (phone: string, word: number, start: number, end: number): void => {
    const last = segments[segments.length - 1];
    if (phone === SILENCE && (end <= start || last?.phone === SILENCE)) {
      if (last?.phone === SILENCE) segments[segments.length - 1] = { ...last, end: Math.max(last.end, end) };
      return;
    }
    segments.push({ phone, word, start, end });
  };
  push(SILENCE, -1, 0, starts[0]?.start ?? sampleCount);
  starts.forEach((s, i) => {
    const start = Math.max(s.start, segments[segments.length - 1]?.end ?? 0);
    push(s.phone, s.word, start, Math.max(start, i + 1 < starts.length ? starts[i + 1].start : sampleCount));
  });
  const spoken = new Set(segments.map((s) => s.word));
  for (let k = 0; k < wordCount; k++) if (!spoken.has(k)) return E.left(`word ${k} has no phonemes`);
  return E.right(segments);
}

/**
 * Gives the digital silence at the end of a phone (|x| ≤ threshold, at least
 * `minimumRun` samples) to the segment after it, keeping at least
 * `minimumKeep` samples of the phone. eSpeak puts a stop's closure before the
 * stop's phoneme event and leaves short gaps before pauses and some words:
 * this way the closure belongs to the stop (as in hand-labelled corpora) and
 * the gap to the pause.
 */
export function withSilentTailsMoved(
  segments: readonly PhoneSegment[],
  samples: Float32Array,
  threshold: number,
  minimumRun: number,
  minimumKeep: number,
): PhoneSegment[] {
  const out = segments.map((s) => ({ ...s }));
  for (let k = 1; k < out.length; k++) {
    const previous = out[k - 1];
    if (previous.phone === SILENCE) continue;
    const silentFrom = silentRunStart(samples, previous.start + minimumKeep, previous.end, threshold);
    if (previous.end - silentFrom < minimumRun) continue;
    previous.end = silentFrom;
    out[k].start = silentFrom;
  }
  return out;
}

/**
 * Moves segments into a longer recording: times scaled by `ratio` (a sample
 * rate change), shifted by `lead` samples, silence filling [0, lead) and the
 * end up to `total`.
 */
export function placeSegments(segments: readonly PhoneSegment[], ratio: number, lead: number, total: number): PhoneSegment[] {
  const at = (sample: number): number => Math.min(total, lead + Math.round(sample * ratio));
  const placed: PhoneSegment[] = [];
  const append = (segment: PhoneSegment): void => {
    const last = placed[placed.length - 1];
    if (last && last.phone === SILENCE && segment.phone === SILENCE) placed[placed.length - 1] = { ...last, end: segment.end };
    else placed.push(segment);
  };
  append({ phone: SILENCE, word: -1, start: 0, end: segments.length > 0 ? at(segments[0].start) : total });
  for (const s of segments) append({ ...s, start: at(s.start), end: at(s.end) });
  append({ phone: SILENCE, word: -1, start: placed[placed.length - 1].end, end: total });
  return placed.filter((s) => s.end > s.start || s.phone !== SILENCE);
}

/** Each word's phones in order (silence left out). */
export function wordPhones(segments: readonly PhoneSegment[], wordCount: number): string[][] {
  const words: string[][] = Array.from({ length: wordCount }, () => []);
  for (const s of segments) if (s.word >= 0) words[s.word].push(s.phone);
  return words;
}

/**
 * Segments relabelled in another phone set: each phone becomes the phones
 * `toPhones` gives it (one or more, its stretch shared evenly among them),
 * silence stays silence. Refused with the reason: a phone that has none.
 *
 * @example relabelSegments(segments, espeakPhones) // IPA → ARPAbet
 */
export function relabelSegments(segments: readonly PhoneSegment[], toPhones: (phone: string) => E.Either<string, readonly string[]>): E.Either<string, PhoneSegment[]> {
  const out: PhoneSegment[] = [];
  for (const segment of segments) {
    if (segment.phone === SILENCE) {
      out.push(segment);
      continue;
    }
    const phones = toPhones(segment.phone);
    if (E.isLeft(phones)) return phones;
    const n = phones.right.length;
    phones.right.forEach((phone, k) => {
      const start = segment.start + Math.round(((segment.end - segment.start) * k) / n);
      const end = segment.start + Math.round(((segment.end - segment.start) * (k + 1)) / n);
      out.push({ phone, word: phone === SILENCE ? -1 : segment.word, start, end });
    });
  }
  return E.right(out);
}

/**
 * Phone segments from a synthesizer that reports phones with their end
 * times (flite's `-psdur`: `silence` names its pauses) but not which word
 * each belongs to. Words are found by aligning the spoken phones with each
 * word's phones said alone (`wordPhones`, in order): a phone takes the word
 * of the phone it is matched or substituted with (flite reduces vowels in
 * context), an extra phone the word before it. Refused: a word left with
 * no phone.
 *
 * @example timedSegments([{ phone: 'pau', end: 0.2 }, { phone: 'ow', end: 0.5 }], 'pau', 16000, 8000, [['ow']])
 */
export function timedSegments(
  timed: readonly { readonly phone: string; readonly end: number }[],
  silence: string,
  sampleRate: number,
  sampleCount: number,
  wordPhones: readonly (readonly string[])[],
): E.Either<string, PhoneSegment[]> {
  const spoken = timed.filter((s) => s.phone !== silence).map((s) => s.phone);
  const expected = wordPhones.flatMap((phones, word) => phones.map((phone) => ({ phone, word })));
  const wordOf = new Int32Array(spoken.length).fill(-1);
  if (spoken.length === expected.length) {
    expected.forEach((e, i) => (wordOf[i] = e.word));
  } else {
    const alignment = editAlignment(
      expected.map((e) => e.phone),
      spoken,
    );
    let previous = 0;
    for (const pair of alignment.pairs) {
      if (pair.hypothesis < 0) continue;
      if (pair.reference >= 0) previous = expected[pair.reference].word;
      wordOf[pair.hypothesis] = previous;
    }
  }
  const segments: PhoneSegment[] = [];
  let start = 0;
  let k = 0;
  for (const s of timed) {
    const end = Math.min(sampleCount, Math.max(start, Math.round(s.end * sampleRate)));
    if (s.phone === silence) {
      const last = segments[segments.length - 1];
      if (last?.phone === SILENCE) segments[segments.length - 1] = { ...last, end };
      else if (end > start) segments.push({ phone: SILENCE, word: -1, start, end });
    } else {
      segments.push({ phone: s.phone, word: wordOf[k++], start, end });
    }
    start = end;
  }
  if (start < sampleCount) {
    const last = segments[segments.length - 1];
    if (last?.phone === SILENCE) segments[segments.length - 1] = { ...last, end: sampleCount };
    else segments.push({ phone: SILENCE, word: -1, start, end: sampleCount });
  }
  const said = new Set(segments.map((s) => s.word));
  for (let word = 0; word < wordPhones.length; word++) if (!said.has(word)) return E.left(`word ${word} has no phones`);
  return E.right(segments.filter((s) => s.end > s.start || s.phone !== SILENCE));
}
