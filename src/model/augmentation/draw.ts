import { hashString, mixSeed, mulberry32 } from '../../ops/random.js';
import type { AugmentationPlan, NoiseKind } from './plan.js';

/** One utterance's augmentation, drawn: everything its audio and features go through. The identity is {@link NO_CHANGE}. */
export interface Augmentation {
  /** played this many times as fast (1: as recorded); a multiple of 1/200, so 16 kHz × speed is whole hertz */
  readonly speed: number;
  readonly reverb: { readonly rt60: number; readonly tailRatio: number; readonly seed: number } | null;
  /** for babble: the talkers, as indices into the babble bank, sample offsets as a fraction of the talker's length, and gains */
  readonly noise: {
    readonly kind: NoiseKind;
    readonly snrDb: number;
    readonly seed: number;
    readonly talkers: readonly { readonly index: number; readonly offset: number; readonly gain: number }[];
  } | null;
  readonly telephone: { readonly muLaw: boolean } | null;
  readonly gainDb: number;
  /** the mel axis's VTLN warp (1: none) */
  readonly warp: number;
  /** SpecAugment masks: time masks as (start as a fraction of the frames, width in frames), frequency masks as (first bin, width) */
  readonly masks: { readonly time: readonly (readonly [number, number])[]; readonly frequency: readonly (readonly [number, number])[] } | null;
}

export const NO_CHANGE: Augmentation = { speed: 1, reverb: null, noise: null, telephone: null, gainDb: 0, warp: 1, masks: null };

/** The quantum of speed factors: 16 kHz × k/200 is a whole number of hertz, so the resampler's tables stay small. */
const SPEED_STEP = 1 / 200;

/**
 * Utterance `id`'s augmentation in epoch `epoch` of a run seeded `seed`: a
 * pure function of (plan, seed, id, epoch), so every epoch hears the
 * utterance anew while the same run hears the same, whichever thread draws
 * it. `bankSize` is the number of babble sources there are to draw talkers
 * from (0: babble falls back to pink noise). Every draw is made whether its
 * augmentation applies or not, so turning one on or off leaves the others'
 * draws as they were.
 *
 * @example drawAugmentation(AUGMENTATION_DEFAULTS, 1, 'sd000042', 3, 64)
 */
export function drawAugmentation(plan: AugmentationPlan, seed: number, id: string, epoch: number, bankSize = 0): Augmentation {
  const random = mulberry32(mixSeed(mixSeed(seed, hashString(id)), epoch));
  const uniform = ([low, high]: readonly [number, number]) => low + (high - low) * random();
  const integer = ([low, high]: readonly [number, number]) => low + Math.floor((high - low + 1) * random());
  const applies = (probability: number) => random() < probability;

  const speedOn = applies(plan.speed.probability);
  const speed = Math.round(uniform(plan.speed.factor) / SPEED_STEP) * SPEED_STEP;

  const reverbOn = applies(plan.reverb.probability);
  const reverb = { rt60: uniform(plan.reverb.rt60), tailRatio: uniform(plan.reverb.tailRatio), seed: Math.floor(random() * 2 ** 32) };

  const noiseOn = applies(plan.noise.probability);
  const kinds = plan.noise.kinds.length > 0 ? plan.noise.kinds : (['white'] as const);
  const drawnKind = kinds[Math.floor(random() * kinds.length)];
  const kind: NoiseKind = drawnKind === 'babble' && bankSize === 0 ? 'pink' : drawnKind;
  const snrDb = uniform(plan.noise.snrDb);
  const noiseSeed = Math.floor(random() * 2 ** 32);
  const talkers = Array.from({ length: integer(plan.noise.talkers) }, () => ({
    index: Math.floor(random() * Math.max(bankSize, 1)),
    offset: random(),
    gain: 0.5 + random(),
  }));

  const telephoneOn = applies(plan.telephone.probability);
  const muLaw = random() < plan.telephone.muLaw;

  const gainOn = applies(plan.gain.probability);
  const gainDb = uniform(plan.gain.db);

  const warpOn = applies(plan.vtlp.probability);
  const warp = uniform(plan.vtlp.warp);

  const masksOn = applies(plan.specaugment.probability);
  const { timeMasks, timeWidth, frequencyMasks, frequencyWidth } = plan.specaugment;
  const time = Array.from({ length: integer([0, timeMasks]) }, () => [random(), integer([1, Math.max(1, timeWidth)])] as const);
  const frequency = Array.from({ length: integer([0, frequencyMasks]) }, () => [random(), integer([1, Math.max(1, frequencyWidth)])] as const);

  return {
    speed: speedOn ? speed : 1,
    reverb: reverbOn ? reverb : null,
    noise: noiseOn ? { kind, snrDb, seed: noiseSeed, talkers: kind === 'babble' ? talkers : [] } : null,
    telephone: telephoneOn ? { muLaw } : null,
    gainDb: gainOn ? gainDb : 0,
    warp: warpOn ? warp : 1,
    masks: masksOn ? { time, frequency: frequency.map(([start, width]) => [start, width] as const) } : null,
  };
}

/**
 * The masks of an {@link Augmentation} placed on features of `frames` ×
 * `bins`: time masks at their fraction of the frames, each at most
 * `maxTimeShare` of them wide; frequency masks from their start fraction of
 * the bins.
 */
export function placedMasks(masks: NonNullable<Augmentation['masks']>, frames: number, bins: number, maxTimeShare: number): {
  time: [number, number][];
  frequency: [number, number][];
} {
  const widest = Math.max(0, Math.floor(maxTimeShare * frames));
  return {
    time: masks.time.map(([start, width]) => [Math.floor(start * frames), Math.min(width, widest)]),
    frequency: masks.frequency.map(([start, width]) => [Math.floor(start * bins), width]),
  };
}
