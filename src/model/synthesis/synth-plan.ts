import type { NoiseColour } from '../../ops/dsp/noise.js';
import { mixSeed, mulberry32 } from '../../ops/random.js';
import type { Split } from '../corpus/manifest.js';
import { DIGIT_LEXICON, DIGIT_WORDS } from '../corpus/digits.js';
import { wordMark } from './phone-segments.js';
import { SYNTHESIZERS, type Speaker, type SpeakerSet, type SynthesizerName } from './speakers.js';


/** What an eSpeak voice list entry must tell: its file name and languages (most specific first). */
export interface VoiceDescription {
  readonly identifier: string;
  readonly languages: readonly string[];
}

/** The voices that speak some English (`en` or `en-…`). */
export function englishVoices<V extends VoiceDescription>(voices: readonly V[]): V[] {
  return voices.filter((v) => v.languages.some((l) => l === 'en' || l.startsWith('en-')));
}

/**
 * eSpeak's stock speakers: every English voice with every variant eSpeak
 * ships (and with none), sorted by id. The id is the voice's first language
 * plus `+variant`, spaces in variant names becoming `_` (ids go into
 * space-separated files).
 *
 * @example englishSpeakers([{ identifier: 'gmw/en-US', languages: ['en-us', 'en'] }], ['m1']) // en-us, en-us+m1
 */
export function englishSpeakers(voices: readonly VoiceDescription[], variants: readonly string[]): Speaker[] {
  return englishVoices(voices)
    .flatMap((v) =>
      ['', ...variants].map(
        (variant): Speaker => ({
          id: variant === '' ? v.languages[0] : `${v.languages[0]}+${variant.replace(/\s+/g, '_')}`,
          synthesizer: 'espeak',
          base: v.identifier,
          group: 'stock',
          voice: variant === '' ? v.identifier : `${v.identifier}+${variant}`,
        }),
      ),
    )
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** flite's stock speakers: each of its voices as it is. */
export function fliteSpeakers(voices: readonly string[]): Speaker[] {
  return [...voices].sort().map((voice): Speaker => ({ id: `flite-${voice}`, synthesizer: 'flite', base: voice, group: 'stock', voice }));
}

/** The ranges every utterance's settings are drawn from (uniformly); all inclusive. */
export interface SynthRanges {
  /** Digits per utterance (TIDIGITS: 1 to 7). */
  readonly digits: readonly [number, number];
  /** eSpeak words per minute; its default is 175. At 210 fewer than 1% of phones are under 30 ms. */
  readonly rate: readonly [number, number];
  /** eSpeak pitch and pitch range, 0–100 (50 is the voice's own). */
  readonly pitch: readonly [number, number];
  readonly range: readonly [number, number];
  /** Peak level of the clean speech, dBFS (negative: below full scale). */
  readonly peakDb: readonly [number, number];
  /** Speech-to-noise power ratio, dB. */
  readonly snrDb: readonly [number, number];
  /** Silence before and after the speech, seconds. */
  readonly padSeconds: readonly [number, number];
  /** Chance of a pause between two words, and its length in ms. */
  readonly pauseProbability: number;
  readonly pauseMs: readonly [number, number];
  /**
   * The break, ms, between a word ending in a vowel and the next beginning
   * with the same one ("zero oh", "oh oh"): speakers set such words apart
   * with a glottal stop, where synthesizers glide one vowel into the other
   * and leave no trace of the second word.
   */
  readonly glottalMs: readonly [number, number];
}

export const DEFAULT_RANGES: SynthRanges = {
  digits: [1, 7],
  rate: [140, 210],
  pitch: [25, 75],
  range: [25, 75],
  peakDb: [-20, -3],
  snrDb: [10, 40],
  padSeconds: [0.1, 0.5],
  pauseProbability: 0.1,
  pauseMs: [100, 400],
  glottalMs: [40, 100],
};

/** The vowels of the digit words' phones. */
const VOWELS: ReadonlySet<string> = new Set(['ah', 'ao', 'ay', 'eh', 'ey', 'ih', 'iy', 'ow', 'uw']);

/** True when `next` begins with the vowel `word` ends with (by the digit lexicon's first pronunciations). */
function sameVowelJunction(word: string, next: string): boolean {
  const phones = (w: string) => DIGIT_LEXICON.find((p) => p.word === w)?.phones ?? [];
  const last = phones(word).at(-1);
  return last !== undefined && VOWELS.has(last) && phones(next)[0] === last;
}

/** Everything that decides one utterance: with the synthesiser, its audio and labels follow. */
export interface UtterancePlan {
  readonly index: number;
  readonly id: string;
  readonly split: Split;
  readonly speaker: Speaker;
  readonly words: readonly string[];
  /** Pause after each word but the last, ms (0: none). */
  readonly pausesMs: readonly number[];
  readonly rate: number;
  readonly pitch: number;
  readonly range: number;
  readonly peakDb: number;
  readonly snrDb: number;
  readonly noise: NoiseColour;
  readonly leadSeconds: number;
  readonly trailSeconds: number;
  /** Seeds the additive noise. */
  readonly noiseSeed: number;
}

/** Speakers seen in training (train and dev) and speakers held out for test. */
export type SpeakerSplit = SpeakerSet;

/** How often each synthesizer speaks, relative to the others (a synthesizer without speakers never does). */
export type SynthesizerWeights = Partial<Readonly<Record<SynthesizerName, number>>>;

/** SynthDigits' mix: eSpeak, fast and varied, speaks two utterances in three; flite, slower to run, the third. */
export const DEFAULT_WEIGHTS: SynthesizerWeights = { espeak: 2, flite: 1 };

/** The stream of speaker hold-out draws (utterance streams use indices ≥ 0). */
const HOLD_OUT_STREAM = -1;

/**
 * Holds out round(fraction × n) speakers (at least one of two or more) for
 * test, by a seeded shuffle.
 */
export function holdOutSpeakers(speakers: readonly Speaker[], seed: number, fraction: number): SpeakerSplit {
  const shuffled = [...speakers];
  const random = mulberry32(mixSeed(seed, HOLD_OUT_STREAM));
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  const count = speakers.length < 2 ? 0 : Math.min(speakers.length - 1, Math.max(1, Math.round(fraction * speakers.length)));
  const heldOut = new Set(shuffled.slice(0, count));
  return { seen: speakers.filter((s) => !heldOut.has(s)), heldOut: speakers.filter((s) => heldOut.has(s)) };
}

/** Utterance i's split: of every ten, eight train, one dev, one test (exactly 80/10/10 by utterances). */
export function splitOf(index: number): Split {
  const slot = index % 10;
  return slot === 8 ? 'dev' : slot === 9 ? 'test' : 'train';
}

/** `sd000042`: ids sort in utterance order. */
export function utteranceId(index: number): string {
  return `sd${String(index).padStart(6, '0')}`;
}

/**
 * Utterance `index` of the corpus with seed `seed`: its split, a speaker
 * (from the held-out ones for test), words and every synthesis setting, drawn
 * from `ranges` by a generator seeded with (seed, index).
 *
 * @example planUtterance(7, 0, holdOutSpeakers(speakers, 7, 0.1))
 */
export function planUtterance(seed: number, index: number, speakers: SpeakerSplit, ranges: SynthRanges = DEFAULT_RANGES, weights: SynthesizerWeights = DEFAULT_WEIGHTS): UtterancePlan {
  const random = mulberry32(mixSeed(seed, index));
  const uniform = ([low, high]: readonly [number, number]): number => low + (high - low) * random();
  const integer = ([low, high]: readonly [number, number]): number => low + Math.floor((high - low + 1) * random());
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const split = splitOf(index);
  const pool = split === 'test' ? speakers.heldOut : speakers.seen;
  if (pool.length === 0) throw new RangeError(`no ${split === 'test' ? 'held-out' : 'seen'} speakers`);
  const speaker = pick(speakersOf(pool, pickSynthesizer(pool, weights, random())));
  const words = Array.from({ length: integer(ranges.digits) }, () => pick(DIGIT_WORDS));
  const pausesMs = words.slice(1).map((next, k) => {
    const pause = random() < ranges.pauseProbability ? Math.round(uniform(ranges.pauseMs)) : 0;
    const glottal = Math.round(uniform(ranges.glottalMs));
    return pause === 0 && sameVowelJunction(words[k], next) ? glottal : pause;
  });
  return {
    index,
    id: utteranceId(index),
    split,
    speaker,
    words,
    pausesMs,
    rate: integer(ranges.rate),
    pitch: integer(ranges.pitch),
    range: integer(ranges.range),
    peakDb: uniform(ranges.peakDb),
    snrDb: uniform(ranges.snrDb),
    noise: random() < 0.5 ? 'white' : 'pink',
    leadSeconds: uniform(ranges.padSeconds),
    trailSeconds: uniform(ranges.padSeconds),
    noiseSeed: Math.floor(random() * 2 ** 32),
  };
}

/** The synthesizer an utterance is spoken with: drawn by `weights` among those with speakers in `pool`, from a uniform `u`. */
function pickSynthesizer(pool: readonly Speaker[], weights: SynthesizerWeights, u: number): SynthesizerName {
  const present = SYNTHESIZERS.filter((name) => pool.some((s) => s.synthesizer === name) && (weights[name] ?? 0) > 0);
  if (present.length === 0) return pool[0].synthesizer;
  const total = present.reduce((sum, name) => sum + (weights[name] ?? 0), 0);
  let mass = u * total;
  for (const name of present) {
    mass -= weights[name] ?? 0;
    if (mass < 0) return name;
  }
  return present[present.length - 1];
}

function speakersOf(pool: readonly Speaker[], synthesizer: SynthesizerName): Speaker[] {
  return pool.filter((s) => s.synthesizer === synthesizer);
}

/**
 * The SSML eSpeak speaks for `plan`: each word after its {@link wordMark},
 * pauses as breaks.
 *
 * @example planText(plan) // '<mark name="w0"/>two <mark name="w1"/>oh <mark name="end"/>'
 */
export function planText(plan: UtterancePlan): string {
  const parts = plan.words.map((word, k) => {
    const pause = plan.pausesMs[k] ? `<break time="${plan.pausesMs[k]}ms"/> ` : '';
    return `<mark name="${wordMark(k)}"/>${word} ${pause}`;
  });
  return `${parts.join('')}<mark name="end"/>`;
}

/**
 * The SSML flite speaks for `plan`: its words, pauses as breaks (flite's
 * marks do not report times, so words are found from the phones instead).
 *
 * @example planSsml(plan) // '<speak>two <break time="200ms"/> oh</speak>'
 */
export function planSsml(plan: UtterancePlan): string {
  const parts = plan.words.map((word, k) => (plan.pausesMs[k] ? `${word} <break time="${plan.pausesMs[k]}ms"/>` : word));
  return `<speak>${parts.join(' ')}</speak>`;
}
