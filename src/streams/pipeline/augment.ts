import type { OperatorFunction } from 'rxjs';
import { babble } from '../../ops/augment/babble.js';
import { convolve, roomImpulse } from '../../ops/augment/reverb.js';
import { resampleLabels, speedPerturb } from '../../ops/augment/speed.js';
import { telephoneChannel } from '../../ops/augment/telephone.js';
import { frameCount, defaultFbankOptions } from '../../ops/dsp/fbank.js';
import { dbToAmplitude, meanPower, mixAtSnr, noise, scaled } from '../../ops/dsp/noise.js';
import { frameLogEnergies, speechSpan } from '../../ops/dsp/speech-span.js';
import { mulberry32 } from '../../ops/random.js';
import { drawAugmentation, placedMasks, type Augmentation } from '../../model/augmentation/draw.js';
import type { AugmentationPlan } from '../../model/augmentation/plan.js';
import { operate } from './operate.js';
import { WAVEFORM_RATE, type WaveformUtterance } from './waveforms.js';

/** Frame geometry at the waveform rate: 25 ms frames every 10 ms. */
const FRAME_LENGTH = Math.floor((WAVEFORM_RATE * defaultFbankOptions.frameLengthMs) / 1000);
const FRAME_SHIFT = Math.floor((WAVEFORM_RATE * defaultFbankOptions.frameShiftMs) / 1000);

/** The mean power of the speech in `samples`: over the frames speechSpan finds, not the silence around them. */
function speechPower(samples: Float32Array): number {
  const frames = frameCount(samples.length);
  if (frames === 0) return meanPower(samples);
  const { start, end } = speechSpan(frameLogEnergies(samples, frames, FRAME_LENGTH, FRAME_SHIFT));
  return meanPower(samples, start * FRAME_SHIFT, Math.min(samples.length, (end - 1) * FRAME_SHIFT + FRAME_LENGTH));
}

/**
 * Applies one drawn augmentation to an utterance: speed (with the alignment
 * resampled to the new frame count), reverberation, additive noise at its
 * SNR over the speech, the telephone channel, gain; the mel warp and the
 * masks (placed at this utterance's frame count, each time mask at most
 * `maxTimeShare` of it) are left for `features`. Babble talkers come from
 * `bank`. An utterance whose alignment does not fit its audio passes
 * unchanged, for `features` to refuse with the reason; one without an
 * alignment (recognition) has its audio changed all the same.
 */
export function applyAugmentation(utterance: WaveformUtterance, augmentation: Augmentation, bank: readonly Float32Array[] = [], maxTimeShare = 1): WaveformUtterance {
  let { samples, alignment } = utterance;
  const unlabelled = alignment.length === 0;
  if (!unlabelled && alignment.length !== frameCount(samples.length)) return utterance;
  if (augmentation.speed !== 1) {
    samples = speedPerturb(samples, WAVEFORM_RATE, augmentation.speed);
    if (!unlabelled) alignment = resampleLabels(alignment, augmentation.speed, frameCount(samples.length), FRAME_LENGTH, FRAME_SHIFT);
  }
  if (augmentation.reverb) {
    const { rt60, tailRatio, seed } = augmentation.reverb;
    const dry = meanPower(samples);
    samples = convolve(samples, roomImpulse(WAVEFORM_RATE, rt60, mulberry32(seed), tailRatio));
    const wet = meanPower(samples);
    if (wet > 0) samples = scaled(samples, Math.sqrt(dry / wet));
  }
  if (augmentation.noise) {
    const { kind, snrDb, seed, talkers } = augmentation.noise;
    const added =
      kind === 'babble' && bank.length > 0
        ? babble(samples.length, talkers.map(({ index, offset, gain }) => ({ source: bank[index % bank.length], offset: Math.floor(offset * bank[index % bank.length].length), gain })))
        : noise(kind === 'white' ? 'white' : 'pink', samples.length, mulberry32(seed));
    samples = mixAtSnr(samples, added, snrDb, speechPower(samples));
  }
  if (augmentation.telephone) samples = telephoneChannel(samples, WAVEFORM_RATE, augmentation.telephone.muLaw);
  if (augmentation.gainDb !== 0) samples = scaled(samples, dbToAmplitude(augmentation.gainDb));
  const masks = augmentation.masks ? placedMasks(augmentation.masks, frameCount(samples.length), defaultFbankOptions.bins, maxTimeShare) : undefined;
  return {
    ...utterance,
    samples,
    alignment,
    ...(augmentation.warp !== 1 && { warp: augmentation.warp }),
    ...(masks && { masks }),
  };
}

export interface AugmentOptions {
  /** the run's seed: with the utterance and the epoch, it decides each draw */
  readonly seed: number;
  readonly epoch: number;
  /** utterances whose audio babble is mixed from */
  readonly bank?: readonly Float32Array[];
}

/**
 * Augments every utterance afresh: its augmentation drawn from `plan` by
 * (seed, utterance id, epoch), so an epoch hears each utterance anew and a
 * run with the same seed hears the same, whatever the thread count. See
 * {@link applyAugmentation} for what is done, in what order.
 *
 * @example
 * utterances(dir, query).pipe(waveforms(), augment(AUGMENTATION_DEFAULTS, { seed: 1, epoch }), features({ normalisation }))
 */
export function augment(plan: AugmentationPlan, options: AugmentOptions): OperatorFunction<WaveformUtterance, WaveformUtterance> {
  const bank = options.bank ?? [];
  return operate((subscriber) => ({
    next: (utterance) => subscriber.next(applyAugmentation(utterance, drawAugmentation(plan, options.seed, utterance.id, options.epoch, bank.length), bank, plan.specaugment.maxTimeShare)),
  }));
}
