import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { Observer, OperatorFunction } from 'rxjs';
import { InputError } from '../../errors.js';
import { applyCmvn, normaliseUtterance, type CmvnTransform } from '../../ops/dsp/cmvn.js';
import { fbank, fbankPlan, type FbankOptions, type FbankPlan, type FeatureMatrix } from '../../ops/dsp/fbank.js';
import { resample } from '../../ops/dsp/resample.js';
import { decodeWav } from '../../ops/codecs/wav.js';
import type { LabelledUtterance } from './utterance.js';
import { operate } from './operate.js';

/** An utterance as read from a corpus: its WAV bytes and its frame alignment. */
export interface AudioUtterance {
  readonly id: string;
  /** where the audio came from, for messages */
  readonly source: string;
  readonly wav: Uint8Array;
  /** one HMM state per feature frame */
  readonly alignment: Int32Array;
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
}

/** Filterbank features of WAV bytes at the plan's rate (resampled when needed), normalised; or what is wrong with the WAV. */
export function featuresOf(wav: Uint8Array, plan: FbankPlan, normalisation: Normalisation): E.Either<string, FeatureMatrix> {
  return pipe(
    decodeWav(wav),
    E.map((audio) => {
      const rate = plan.options.sampleRate;
      const samples = audio.sampleRate === rate ? audio.samples : resample(audio.samples, audio.sampleRate, rate);
      const raw = fbank(plan, samples);
      return normalisation === 'none' ? raw : normalisation === 'utterance' ? normaliseUtterance(raw) : applyCmvn(normalisation, raw);
    }),
  );
}

/**
 * WAV → Kaldi filterbank features → normalisation, with the alignment as
 * targets. A bad utterance (a broken WAV, an alignment whose length is not
 * the frame count) is skipped and reported to `skipped`, or with `strict`
 * ends the stream with an error naming it.
 *
 * @example
 * corpus$.pipe(features({ normalisation: cmvn, skipped: report }), delayTargets(5), chunk({ streams: 4, steps: 20 }))
 */
export function features(options: FeatureOptions): OperatorFunction<AudioUtterance, LabelledUtterance> {
  return operate((subscriber) => {
    const plan = fbankPlan(options.fbank);
    return {
      next: (utterance) => {
        const labelled = pipe(
          featuresOf(utterance.wav, plan, options.normalisation),
          E.mapLeft((reason) => `${utterance.source}: ${reason}`),
          E.filterOrElse(
            (matrix) => matrix.frames === utterance.alignment.length,
            (matrix) => `the alignment has ${utterance.alignment.length} frames, the audio ${matrix.frames}`,
          ),
          E.map((matrix) => ({ id: utterance.id, frames: matrix.frames, dim: matrix.bins, features: matrix.data, targets: utterance.alignment })),
        );
        if (E.isRight(labelled)) subscriber.next(labelled.right);
        else if (options.strict) throw new InputError(`utterance ${utterance.id}: ${labelled.left}`);
        else options.skipped?.next?.({ id: utterance.id, reason: labelled.left });
      },
    };
  });
}
