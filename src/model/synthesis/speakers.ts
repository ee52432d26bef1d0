import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { mixSeed, mulberry32 } from '../../ops/random.js';
import { decodeJson } from '../codec.js';

/** The synthesizers SynthDigits speaks with. */
export const SYNTHESIZERS = ['espeak', 'flite'] as const;
export type SynthesizerName = (typeof SYNTHESIZERS)[number];

/** Who a generated speaker is drawn as; `stock` is a synthesizer's own voice, unchanged. */
export type SpeakerGroup = 'male' | 'female' | 'child' | 'stock';

/**
 * An eSpeak NG voice variant, in the terms of its voice files
 * (docs/voices.md of eSpeak NG): written as a variant file and applied on
 * top of a base voice (the accent).
 */
export interface EspeakVoiceParams {
  /** 0: eSpeak's own formant engine; 1–4: its Klatt engine's variants */
  readonly klatt: number;
  /** base pitch and the top of the pitch range, Hz */
  readonly pitch: readonly [number, number];
  /** the vocal tract's scale: every formant frequency times this (before each formant's jitter) */
  readonly tractScale: number;
  /** formants 0–8: frequency, strength and width, percent of the voice's own */
  readonly formants: readonly (readonly [number, number, number])[];
  readonly flutter: number;
  readonly roughness: number;
  /** breath noise at formants 1–8 (0: none) */
  readonly breath: readonly number[];
  readonly voicing: number;
  /** noise strength of unvoiced and of voiced consonants, percent */
  readonly consonants: readonly [number, number];
  /** the voiced sounds' frequency response: (Hz, amplitude 0–255) pairs */
  readonly tone: readonly number[];
}

/**
 * A generated eSpeak voice made from one of eSpeak's own variants (its
 * template): the template's voice quality (breath, tone, voicing, formant
 * shapes, engine, …) as it is, its pitch and every formant frequency moved.
 */
export interface EspeakTemplateVoice {
  /** the stock variant (`f2`, `travis`, `klatt3`, …) */
  readonly template: string;
  /** the template's pitch (base and range) times this */
  readonly pitchScale: number;
  /** every formant frequency of the template times this: the vocal tract's length */
  readonly formantScale: number;
}

/** What flite lets a speaker change: the pitch target's mean and spread (Hz) and how long everything lasts. */
export interface FliteVoiceParams {
  readonly f0Mean: number;
  readonly f0Std: number;
  readonly durationStretch: number;
}

/** A speaker of SynthDigits: a synthesizer's base voice, as it is (stock) or with drawn parameters. */
export type Speaker =
  | {
      readonly id: string;
      readonly synthesizer: 'espeak';
      /** the base voice's file name (`gmw/en-US`) */
      readonly base: string;
      readonly group: SpeakerGroup;
      /** what eSpeak's set_voice takes: `base+variant` */
      readonly voice: string;
      /** drawn parameters, or a template voice, written as the variant file `variant`; absent for a stock voice+variant */
      readonly params?: EspeakVoiceParams | EspeakTemplateVoice;
    }
  | {
      readonly id: string;
      readonly synthesizer: 'flite';
      /** the flite voice (`slt`, `kal`, …) */
      readonly base: string;
      readonly group: SpeakerGroup;
      readonly voice: string;
      readonly params?: FliteVoiceParams;
    };

/** The ranges every generated parameter stays in: eSpeak's and flite's accepted values, narrowed to what sounds like a person. */
export const ACCEPTED = {
  espeak: {
    klatt: [0, 4],
    pitch: [50, 450],
    formantFrequency: [50, 200],
    formantStrength: [0, 200],
    formantWidth: [20, 300],
    flutter: [0, 100],
    roughness: [0, 7],
    breath: [0, 100],
    voicing: [0, 200],
    consonants: [0, 200],
    tone: [0, 255],
  },
  flite: { f0Mean: [50, 400], f0Std: [0, 80], durationStretch: [0.5, 2] },
} as const;

/**
 * How generated speakers are drawn, per group: base pitch (Hz) and vocal
 * tract scale. Adult men speak around 85–155 Hz, women 165–255 Hz, children
 * higher; a woman's vocal tract is about 15 % shorter than a man's, a
 * child's shorter still, which raises every formant by as much.
 */
export const GROUPS = {
  male: { share: 0.45, pitch: [70, 140], tractScale: [0.88, 1.02] },
  female: { share: 0.45, pitch: [150, 240], tractScale: [1.02, 1.16] },
  child: { share: 0.1, pitch: [220, 320], tractScale: [1.12, 1.26] },
} as const;

/**
 * The parameter region reserved for test speakers: no training speaker of
 * eSpeak is drawn with a base pitch of 180–200 Hz and a tract scale of
 * 1.06–1.10 at once (a hole in the middle of the female range), so test
 * speakers that fall there are unlike any training speaker in both respects.
 */
export const TEST_REGION = { pitch: [180, 200], tractScale: [1.06, 1.1] } as const;

/** True when an eSpeak speaker's parameters fall in {@link TEST_REGION}. */
export function inTestRegion(params: EspeakVoiceParams): boolean {
  const [pitch] = params.pitch;
  return pitch >= TEST_REGION.pitch[0] && pitch <= TEST_REGION.pitch[1] && params.tractScale >= TEST_REGION.tractScale[0] && params.tractScale <= TEST_REGION.tractScale[1];
}

type Random = () => number;
const uniform = (random: Random, [low, high]: readonly [number, number]) => low + (high - low) * random();
const round = (x: number, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits;

function drawGroup(random: Random): Exclude<SpeakerGroup, 'stock'> {
  const u = random();
  return u < GROUPS.male.share ? 'male' : u < GROUPS.male.share + GROUPS.female.share ? 'female' : 'child';
}

/**
 * An eSpeak speaker's parameters as a pure function of its seed (and
 * group): pitch and tract scale from the group's ranges; each of formants
 * 1–5 the tract scale with ±8 % of its own, strength 60–130 %, width
 * 60–200 %, the others the scale with strength 70–110 %; flutter 0–40,
 * roughness 0–6, breath noise (0–50) for a third of speakers, voicing
 * 60–160 %, consonant noise 70–170 %, a tilt of the voiced spectrum, and the
 * Klatt engine for a third. The voice-quality ranges are wide on purpose:
 * they span what eSpeak's own variants do (its `f2` breathes, `m7` voices
 * at 155 %, `travis` moves F1 by half), and a model trained on speakers
 * drawn this widely recognises a synthesizer it never heard (flite) at
 * 29.5 % WER against 41.3 % with ranges a third as wide (±3 %, 85–115 %,
 * breath for one in five; three training seeds each, 756 speakers,
 * docs/robustness.md).
 *
 * @example espeakParams(42, 'female')
 */
export function espeakParams(seed: number, group: Exclude<SpeakerGroup, 'stock'>): EspeakVoiceParams {
  const random = mulberry32(seed);
  const ranges = GROUPS[group];
  const base = round(uniform(random, ranges.pitch));
  const top = round(Math.min(ACCEPTED.espeak.pitch[1], base * uniform(random, [1.3, 1.7])));
  const tractScale = round(uniform(random, ranges.tractScale), 3);
  const formants = Array.from({ length: 9 }, (_, k) => {
    // Formants 1–5 shape vowels and voice quality: each moves on its own; 0 and 6–8 follow the scale.
    const shaping = k >= 1 && k <= 5;
    const frequency = round(100 * tractScale * (1 + (shaping ? uniform(random, [-0.08, 0.08]) : 0)));
    const strength = round(uniform(random, shaping ? [60, 130] : [70, 110]));
    const width = shaping ? round(uniform(random, [60, 200])) : 100;
    return [frequency, strength, width] as const;
  });
  const breathy = random() < 0.35;
  const breath = Array.from({ length: 8 }, () => (breathy ? round(uniform(random, [0, 50])) : 0));
  const klatt = random() < 0.35 ? 1 + Math.floor(random() * 4) : 0;
  return {
    klatt,
    pitch: [base, top],
    tractScale,
    formants,
    flutter: round(uniform(random, [0, 40])),
    roughness: Math.floor(random() * 7),
    breath,
    voicing: round(uniform(random, [60, 160])),
    consonants: [round(uniform(random, [70, 170])), round(uniform(random, [70, 170]))],
    tone: [600, round(uniform(random, [80, 220])), 1200, round(uniform(random, [80, 200])), 2000, round(uniform(random, [50, 160]))],
  };
}

/**
 * How template voices are moved, per group: pitch scale and formant scale.
 * A woman's vocal tract is about 15 % shorter than a man's, so her formants
 * sit that much higher; a template is moved within ±5 % of its own, in the
 * direction of the group drawn (eSpeak's variants are already men, women and
 * children).
 */
export const TEMPLATE_GROUPS = {
  male: { pitchScale: [0.85, 1.05], formantScale: [0.9, 0.97] },
  female: { pitchScale: [0.95, 1.2], formantScale: [0.97, 1.04] },
  child: { pitchScale: [1.05, 1.2], formantScale: [1.03, 1.1] },
} as const;

/** A template voice as a pure function of its seed, group and template. */
export function templateVoice(seed: number, group: Exclude<SpeakerGroup, 'stock'>, template: string): EspeakTemplateVoice {
  const random = mulberry32(seed);
  const ranges = TEMPLATE_GROUPS[group];
  return { template, pitchScale: round(uniform(random, ranges.pitchScale), 3), formantScale: round(uniform(random, ranges.formantScale), 3) };
}

/** True for a template voice (as opposed to drawn parameters). */
export function isTemplateVoice(params: EspeakVoiceParams | EspeakTemplateVoice): params is EspeakTemplateVoice {
  return 'template' in params;
}

/**
 * The variant file of a template voice: the template's own lines (its name
 * replaced), its `pitch` times pitchScale, each `formant k f h w` with f
 * times formantScale, and formants 0–5 that the template leaves at eSpeak's
 * default (100 %) written out at 100·formantScale. A template with no pitch
 * line gets eSpeak's default (82 118 Hz) moved.
 *
 * @example espeakTemplateText('espeak-0007', { template: 'f2', pitchScale: 1.1, formantScale: 1.02 }, readVariant('f2'))
 */
export function espeakTemplateText(name: string, voice: EspeakTemplateVoice, templateText: string): string {
  const scaled = (value: string, by: number) => String(Math.round(Number(value) * by));
  const formants = new Set<number>();
  let pitched = false;
  const lines = templateText.split('\n').flatMap((line) => {
    const words = line.trim().split(/\s+/);
    if (words[0] === 'name') return [`name ${name}`];
    if (words[0] === 'pitch' && words.length >= 3 && Number.isFinite(Number(words[1])) && Number.isFinite(Number(words[2]))) {
      pitched = true;
      return [`pitch ${scaled(words[1], voice.pitchScale)} ${scaled(words[2], voice.pitchScale)}`];
    }
    if (words[0] === 'formant' && words.length >= 3 && Number.isFinite(Number(words[2]))) {
      formants.add(Number(words[1]));
      return [['formant', words[1], scaled(words[2], voice.formantScale), ...words.slice(3)].join(' ')];
    }
    return line.trim() === '' ? [] : [line];
  });
  if (!lines.some((line) => line.startsWith('name '))) lines.unshift(`name ${name}`);
  if (!lines.some((line) => line.trim().startsWith('language'))) lines.unshift('language variant');
  if (!pitched) lines.push(`pitch ${Math.round(82 * voice.pitchScale)} ${Math.round(118 * voice.pitchScale)}`);
  for (let k = 0; k <= 5; k++) if (!formants.has(k)) lines.push(`formant ${k} ${Math.round(100 * voice.formantScale)} 100 100`);
  return `${lines.join('\n')}\n`;
}

/** Each flite voice's own pitch mean (Hz, measured), the centre its speakers' means are drawn around. */
export const FLITE_VOICES: Readonly<Record<string, { readonly f0Mean: number; readonly group: 'male' | 'female' }>> = {
  kal: { f0Mean: 95, group: 'male' },
  kal16: { f0Mean: 95, group: 'male' },
  awb: { f0Mean: 134, group: 'male' },
  rms: { f0Mean: 101, group: 'male' },
  slt: { f0Mean: 180, group: 'female' },
};

/**
 * A flite speaker's parameters as a pure function of its seed: the base
 * voice's pitch mean times 0.8–1.25, a spread of 10–35 Hz, and durations
 * stretched by 0.85–1.2. (flite's `rms` keeps its own pitch whatever it is
 * asked: only its spread and durations vary.)
 */
export function fliteParams(seed: number, base: string): FliteVoiceParams {
  const random = mulberry32(seed);
  const own = FLITE_VOICES[base]?.f0Mean ?? 120;
  return { f0Mean: round(own * uniform(random, [0.8, 1.25])), f0Std: round(uniform(random, [10, 35])), durationStretch: round(uniform(random, [0.85, 1.2]), 3) };
}

/** The lines of an eSpeak variant file for these parameters (its voices.md format). */
export function espeakVariantText(name: string, params: EspeakVoiceParams): string {
  const lines = [
    'language variant',
    `name ${name}`,
    `pitch ${params.pitch[0]} ${params.pitch[1]}`,
    ...params.formants.map(([frequency, strength, width], k) => `formant ${k} ${frequency} ${strength} ${width}`),
    `flutter ${params.flutter}`,
    `roughness ${params.roughness}`,
    `voicing ${params.voicing}`,
    `consonants ${params.consonants[0]} ${params.consonants[1]}`,
    `tone ${params.tone.join(' ')}`,
    ...(params.breath.some((b) => b > 0) ? [`breath ${params.breath.join(' ')}`] : []),
    ...(params.klatt > 0 ? [`klatt ${params.klatt}`] : []),
  ];
  return `${lines.join('\n')}\n`;
}

/** The stream of seeds a synthesizer's generated speakers come from. */
const SPEAKER_STREAM: Readonly<Record<SynthesizerName, number>> = { espeak: -2, flite: -3 };
/** The stream template hold-outs are drawn from, within a synthesizer's. */
const TEMPLATE_STREAM = -7;
/** Base voices held out for test, out of every ten (at least one). */
const HELD_OUT_SHARE = 0.25;

/** Speakers of a corpus: the training ones (train and dev utterances) and the held-out ones (test). */
export interface SpeakerSet {
  readonly seen: readonly Speaker[];
  readonly heldOut: readonly Speaker[];
}

/** `bases` shuffled by `seed`; the first round(share·n) (at least one, never all) are held out. */
export function holdOutBases(bases: readonly string[], seed: number, share = HELD_OUT_SHARE): { seen: string[]; heldOut: string[] } {
  const shuffled = [...bases].sort();
  const random = mulberry32(seed);
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  const count = bases.length < 2 ? 0 : Math.min(bases.length - 1, Math.max(1, Math.round(share * bases.length)));
  return { heldOut: shuffled.slice(0, count).sort(), seen: shuffled.slice(count).sort() };
}

/** The base voices of `synthesizer` that training speakers may use: all of `bases` but those {@link generateSpeakers} holds out for test. */
export function trainingBases(seed: number, synthesizer: SynthesizerName, bases: readonly string[]): string[] {
  return holdOutBases(bases, mixSeed(seed, SPEAKER_STREAM[synthesizer])).seen;
}

/**
 * `count` generated speakers of `synthesizer` from `bases` (its base voices),
 * a pure function of `seed`: the test speakers (one in ten, at least one)
 * speak with held-out base voices that no training speaker uses. Given
 * eSpeak's own variants as `templates`, each eSpeak speaker is a
 * {@link templateVoice} of one of them, and test speakers use held-out
 * templates too; without, its parameters are drawn ({@link espeakParams})
 * and training speakers are kept out of {@link TEST_REGION}. Ids are
 * `espeak-0007` and the like.
 *
 * Templates, because they recognise other voices better: trained on 756
 * eSpeak speakers and tested on flite, template voices gave 15.3 % WER,
 * eSpeak's stock voices 16.7 % and drawn parameters 29.5 % (means of 2–3
 * training seeds; docs/robustness.md).
 *
 * @example generateSpeakers(1, 'espeak', 200, ['gmw/en', 'gmw/en-US'], ['f2', 'm3', 'klatt'])
 */
export function generateSpeakers(seed: number, synthesizer: SynthesizerName, count: number, bases: readonly string[], templates: readonly string[] = []): SpeakerSet {
  if (bases.length === 0) throw new RangeError(`no base voices for ${synthesizer}`);
  const stream = mixSeed(seed, SPEAKER_STREAM[synthesizer]);
  const { seen, heldOut } = holdOutBases(bases, stream);
  const templateSets = holdOutBases(templates, mixSeed(stream, TEMPLATE_STREAM));
  const tests = count < 2 || heldOut.length === 0 ? 0 : Math.max(1, Math.round(count / 10));
  const speakers = Array.from({ length: count }, (_, i): Speaker & { test: boolean } => {
    const test = i >= count - tests;
    const pool = test ? heldOut : seen;
    const id = `${synthesizer}-${String(i).padStart(4, '0')}`;
    // Each speaker's draws come from its own seed; a training speaker that lands in the test region is drawn again from the next.
    for (let attempt = 0; ; attempt++) {
      const speakerSeed = mixSeed(mixSeed(stream, i), attempt);
      const random = mulberry32(speakerSeed);
      const base = pool[Math.floor(random() * pool.length)];
      if (synthesizer === 'flite') {
        const group = FLITE_VOICES[base]?.group ?? 'male';
        return { id, synthesizer, base, group, voice: base, params: fliteParams(mixSeed(speakerSeed, 1), base), test };
      }
      const group = drawGroup(random);
      if (templates.length > 0) {
        const pool = test && templateSets.heldOut.length > 0 ? templateSets.heldOut : templateSets.seen;
        const template = pool[Math.floor(random() * pool.length)];
        return { id, synthesizer, base, group, voice: `${base}+${id}`, params: templateVoice(mixSeed(speakerSeed, 1), group, template), test };
      }
      const params = espeakParams(mixSeed(speakerSeed, 1), group);
      if (!test && inTestRegion(params) && attempt < 100) continue;
      return { id, synthesizer, base, group, voice: `${base}+${id}`, params, test };
    }
  });
  const strip = ({ test: _test, ...speaker }: Speaker & { test: boolean }): Speaker => speaker;
  return { seen: speakers.filter((s) => !s.test).map(strip), heldOut: speakers.filter((s) => s.test).map(strip) };
}

const Triple = t.tuple([t.number, t.number, t.number]);
const EspeakParamsCodec = t.type({
  klatt: t.number,
  pitch: t.tuple([t.number, t.number]),
  tractScale: t.number,
  formants: t.array(Triple),
  flutter: t.number,
  roughness: t.number,
  breath: t.array(t.number),
  voicing: t.number,
  consonants: t.tuple([t.number, t.number]),
  tone: t.array(t.number),
});
const TemplateVoiceCodec = t.type({ template: t.string, pitchScale: t.number, formantScale: t.number });
const FliteParamsCodec = t.type({ f0Mean: t.number, f0Std: t.number, durationStretch: t.number });
const Group = t.keyof({ male: null, female: null, child: null, stock: null });

/** One line of a corpus's speakers.jsonl: a speaker, with its split. */
export const SpeakerLineCodec = t.intersection([
  t.union([
    t.intersection([t.type({ id: t.string, synthesizer: t.literal('espeak'), base: t.string, group: Group, voice: t.string }), t.partial({ params: t.union([TemplateVoiceCodec, EspeakParamsCodec]) })]),
    t.intersection([t.type({ id: t.string, synthesizer: t.literal('flite'), base: t.string, group: Group, voice: t.string }), t.partial({ params: FliteParamsCodec })]),
  ]),
  t.type({ split: t.keyof({ train: null, test: null }) }),
]);
export type SpeakerLine = t.TypeOf<typeof SpeakerLineCodec>;

/** speakers.jsonl's text: the training speakers, then the test ones, a line each. */
export function encodeSpeakers(speakers: SpeakerSet): string {
  const lines = [...speakers.seen.map((s) => ({ ...s, split: 'train' as const })), ...speakers.heldOut.map((s) => ({ ...s, split: 'test' as const }))];
  return lines.map((line) => `${JSON.stringify(line)}\n`).join('');
}

/** Reads speakers.jsonl, or says which line is wrong. */
export function decodeSpeakers(text: string): E.Either<string, SpeakerLine[]> {
  const lines: SpeakerLine[] = [];
  const rows = text.split('\n');
  for (let i = 0; i < rows.length; i++) {
    if (rows[i].trim() === '') continue;
    const line = decodeJson(SpeakerLineCodec, rows[i]);
    if (E.isLeft(line)) return E.left(`line ${i + 1}: ${line.left}`);
    lines.push(line.right);
  }
  return E.right(lines);
}
