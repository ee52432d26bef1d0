import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { Observer, OperatorFunction } from 'rxjs';
import { InputError } from '../../errors.js';
import { applyMasks } from '../../ops/augment/masks.js';
import { decodeWav } from '../../ops/codecs/wav.js';
import { applyCmvn, normaliseUtterance, type CmvnTransform } from '../../ops/dsp/cmvn.js';
import { fbank, fbankPlan, type FbankOptions, type FbankPlan, type FeatureMatrix } from '../../ops/dsp/fbank.js';
import { resample } from '../../ops/dsp/resample.js';
import { operate } from './operate.js';
import { NO_TARGET, type LabelledUtterance } from './utterance.js';
import type { WaveformUtterance } from './waveforms.js';

/** An utterance as read from a corpus: its WAV bytes and its frame alignment. */
export interface AudioUtterance {
  readonly id: string;
  /** where the audio came from, for messages */
  readonly source: string;
  readonly wav: Uint8Array;
  /** one HMM state per feature frame */
  readonly alignment: Int32Array;
  /** its transcript, when the corpus has one */
  readonly words?: readonly string[];
}

/** An utterance left out, and why. */
export interface SkippedUtterance {
  readonly id: string;
  readonly reason: string;
}

/** How features are normalised: global corpus statistics, per utterance, or not at all. */
export type Normalisation = CmvnTransform | 'utterance' | 'none';

export interface FeatureOptions {
  readonly fbank?: Partial<FbankOptions>;
  readonly normalisation: Normalisation;
  /** stop at the first bad utterance instead of skipping it */
  readonly strict?: boolean;
  /** told of every utterance skipped (a bad WAV, an alignment that does not fit) */
  readonly skipped?: Partial<Observer<SkippedUtterance>>;
  /** the utterances have no alignments (recognition): every frame's target is NO_TARGET */
  readonly unlabelled?: boolean;
}

/** Features normalised as asked. */
export function normalised(raw: FeatureMatrix, normalisation: Normalisation): FeatureMatrix {
  return normalisation === 'none' ? raw : normalisation === 'utterance' ? normaliseUtterance(raw) : applyCmvn(normalisation, raw);
}

/** Filterbank features of WAV bytes at the plan's rate (resampled when needed), normalised; or what is wrong with the WAV. */
export function featuresOf(wav: Uint8Array, plan: FbankPlan, normalisation: Normalisation): E.Either<string, FeatureMatrix> {
  return pipe(
    decodeWav(wav),
    E.map((audio) => {
      const rate = plan.options.sampleRate;
      const samples = audio.sampleRate === rate ? audio.samples : resample(audio.samples, audio.sampleRate, rate);
      return normalised(fbank(plan, samples), normalisation);
    }),
  );
}

/** Warps are drawn from a continuum; plans are kept for warps rounded to this step (VTLP's effect at 0.1 % is far below anything heard). */
const WARP_STEP = 1e-3;

/**
 * Audio → Kaldi filterbank features → normalisation, with the alignment as
 * targets. The audio is WAV bytes (decoded and resampled here) or a
 * waveform already at the features' rate, whose mel warp and masks (from
 * `augment`) are applied: the warp to the filterbank, the masks after
 * normalisation. A bad utterance (a broken WAV, an alignment whose length is
 * not the frame count) is skipped and reported to `skipped`, or with
 * `strict` ends the stream with an error naming it.
 *
 * @example
 * corpus$.pipe(features({ normalisation: cmvn, skipped: report }), delayTargets(5), chunk({ streams: 4, steps: 20 }))
 */
export function features(options: FeatureOptions): OperatorFunction<AudioUtterance | WaveformUtterance, LabelledUtterance> {
  return operate((subscriber) => {
    const plan = fbankPlan(options.fbank);
    const warped = new Map<number, FbankPlan>();
    const planFor = (warp: number | undefined): FbankPlan => {
      if (warp === undefined || warp === 1) return plan;
      const key = Math.round(warp / WARP_STEP);
      let found = warped.get(key);
      if (!found) warped.set(key, (found = fbankPlan({ ...options.fbank, vtlnWarp: key * WARP_STEP })));
      return found;
    };
    const matrixOf = (utterance: AudioUtterance | WaveformUtterance): E.Either<string, FeatureMatrix> => {
      if ('wav' in utterance) return featuresOf(utterance.wav, plan, options.normalisation);
      const matrix = normalised(fbank(planFor(utterance.warp), utterance.samples), options.normalisation);
      if (utterance.masks) applyMasks(matrix.data, matrix.frames, matrix.bins, utterance.masks);
      return E.right(matrix);
    };
    return {
      next: (utterance) => {
        const labelled = pipe(
          matrixOf(utterance),
          E.mapLeft((reason) => `${utterance.source}: ${reason}`),
          E.filterOrElse(
            (matrix) => options.unlabelled === true || matrix.frames === utterance.alignment.length,
            (matrix) => `the alignment has ${utterance.alignment.length} frames, the audio ${matrix.frames}`,
          ),
          E.map((matrix) => ({
            id: utterance.id,
            frames: matrix.frames,
            dim: matrix.bins,
            features: matrix.data,
            targets: options.unlabelled ? new Int32Array(matrix.frames).fill(NO_TARGET) : utterance.alignment,
          })),
        );
        if (E.isRight(labelled)) subscriber.next(labelled.right);
        else if (options.strict) throw new InputError(`utterance ${utterance.id}: ${labelled.left}`);
        else options.skipped?.next?.({ id: utterance.id, reason: labelled.left });
      },
    };
  });
}
