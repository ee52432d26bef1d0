import * as E from 'fp-ts/lib/Either.js';

/** The augmentations lstmp draws, in the order they act on an utterance. */
export const AUGMENTATIONS = ['speed', 'reverb', 'noise', 'telephone', 'gain', 'vtlp', 'specaugment'] as const;
export type AugmentationName = (typeof AUGMENTATIONS)[number];

/** The kinds of additive noise: Gaussian white, pink (−3 dB per octave), and babble mixed from other utterances. */
export const NOISE_KINDS = ['white', 'pink', 'babble'] as const;
export type NoiseKind = (typeof NOISE_KINDS)[number];

/**
 * What to draw, and how often: each augmentation applies to an utterance
 * with its probability, with settings drawn uniformly from its ranges (all
 * inclusive). A probability of 0 turns it off.
 */
export interface AugmentationPlan {
  /** speed perturbation (Ko et al. 2015): the factor audio is played faster by, tempo and pitch together */
  readonly speed: { readonly probability: number; readonly factor: readonly [number, number] };
  /** room reverberation: a synthetic impulse response's RT60 (s) and its tail's energy relative to the direct path */
  readonly reverb: { readonly probability: number; readonly rt60: readonly [number, number]; readonly tailRatio: readonly [number, number] };
  /** additive noise at a signal-to-noise ratio (dB), of one of `kinds` */
  readonly noise: { readonly probability: number; readonly snrDb: readonly [number, number]; readonly kinds: readonly NoiseKind[]; readonly talkers: readonly [number, number] };
  /** a telephone channel: 8 kHz, 300–3400 Hz, with 8-bit μ-law this often */
  readonly telephone: { readonly probability: number; readonly muLaw: number };
  /** a change of level, dB */
  readonly gain: { readonly probability: number; readonly db: readonly [number, number] };
  /** vocal tract length perturbation (Jaitly & Hinton 2013): the warp of the mel axis */
  readonly vtlp: { readonly probability: number; readonly warp: readonly [number, number] };
  /** SpecAugment (Park et al. 2019): up to this many time masks (frames wide, and at most `maxTimeShare` of the frames each) and frequency masks (bins wide) */
  readonly specaugment: {
    readonly probability: number;
    readonly timeMasks: number;
    readonly timeWidth: number;
    readonly maxTimeShare: number;
    readonly frequencyMasks: number;
    readonly frequencyWidth: number;
  };
}

/**
 * Each augmentation's settings when it is on. Ranges follow the papers:
 * speed 0.9–1.1 (Ko et al.), warps 0.9–1.1 (Jaitly & Hinton), RT60 0.2–0.8 s;
 * noise from 0 to 25 dB SNR; SpecAugment's masks kept narrow, since a hybrid
 * model must still name the state of every masked frame.
 */
export const AUGMENTATION_DEFAULTS: AugmentationPlan = {
  speed: { probability: 1, factor: [0.9, 1.1] },
  reverb: { probability: 0.3, rt60: [0.2, 0.8], tailRatio: [0.3, 3] },
  noise: { probability: 0.5, snrDb: [0, 25], kinds: NOISE_KINDS, talkers: [3, 6] },
  telephone: { probability: 0.2, muLaw: 0.5 },
  gain: { probability: 0.5, db: [-12, 6] },
  vtlp: { probability: 1, warp: [0.9, 1.1] },
  specaugment: { probability: 0.5, timeMasks: 2, timeWidth: 10, maxTimeShare: 0.1, frequencyMasks: 2, frequencyWidth: 5 },
};

/** No augmentation at all. */
export const NO_AUGMENTATION: AugmentationPlan = Object.fromEntries(
  AUGMENTATIONS.map((name) => [name, { ...AUGMENTATION_DEFAULTS[name], probability: 0 }]),
) as unknown as AugmentationPlan;

/** True when the plan draws nothing. */
export function augments(plan: AugmentationPlan): boolean {
  return AUGMENTATIONS.some((name) => plan[name].probability > 0);
}

/**
 * A plan from the command line's list: `none`, `all`, or names separated by
 * commas, each optionally with its probability (`speed,noise:0.8,reverb`).
 * Named augmentations take their default settings; the others are off.
 *
 * @example parseAugmentations('speed,noise:0.8') // speed always, noise on 80 % of utterances
 */
export function parseAugmentations(list: string): E.Either<string, AugmentationPlan> {
  const text = list.trim();
  if (text === 'none' || text === '') return E.right(NO_AUGMENTATION);
  if (text === 'all') return E.right(AUGMENTATION_DEFAULTS);
  const plan: Record<string, unknown> = { ...NO_AUGMENTATION };
  for (const item of text.split(',')) {
    const [name, probabilityText, ...rest] = item.trim().split(':');
    if (!(AUGMENTATIONS as readonly string[]).includes(name)) return E.left(`unknown augmentation "${name}": expected ${AUGMENTATIONS.join(', ')}, all or none`);
    if (rest.length > 0) return E.left(`"${item.trim()}": expected NAME or NAME:PROBABILITY`);
    const defaults = AUGMENTATION_DEFAULTS[name as AugmentationName];
    const probability = probabilityText === undefined ? defaults.probability : Number(probabilityText);
    if (!(probability >= 0 && probability <= 1) || probabilityText?.trim() === '') return E.left(`"${item.trim()}": the probability must be a number from 0 to 1`);
    plan[name] = { ...defaults, probability };
  }
  return E.right(plan as unknown as AugmentationPlan);
}

/** The plan in the command line's words: the inverse of {@link parseAugmentations} for plans with default settings. */
export function describeAugmentations(plan: AugmentationPlan): string {
  const on = AUGMENTATIONS.filter((name) => plan[name].probability > 0);
  if (on.length === 0) return 'none';
  return on.map((name) => (plan[name].probability === AUGMENTATION_DEFAULTS[name].probability ? name : `${name}:${plan[name].probability}`)).join(',');
}
