import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { Observer, OperatorFunction } from 'rxjs';
import { InputError } from '../../errors.js';
import type { FeatureMasks } from '../../ops/augment/masks.js';
import { decodeWav } from '../../ops/codecs/wav.js';
import { resample } from '../../ops/dsp/resample.js';
import type { AudioUtterance, SkippedUtterance } from './features.js';
import { operate } from './operate.js';

/** The rate every waveform of the pipeline is at: the features' rate. */
export const WAVEFORM_RATE = 16000;

/**
 * An utterance as audio samples at {@link WAVEFORM_RATE}, with its frame
 * alignment: what augmentation works on. `warp` and `masks`, when set, are
 * for `features`: the mel axis's warp and the feature masks to apply.
 */
export interface WaveformUtterance {
  readonly id: string;
  /** where the audio came from, for messages */
  readonly source: string;
  readonly samples: Float32Array;
  /** one HMM state per feature frame */
  readonly alignment: Int32Array;
  readonly warp?: number;
  readonly masks?: FeatureMasks;
}

export interface WaveformOptions {
  /** stop at the first unreadable WAV instead of skipping it */
  readonly strict?: boolean;
  /** told of every utterance skipped */
  readonly skipped?: Partial<Observer<SkippedUtterance>>;
}

/** The samples of WAV bytes at {@link WAVEFORM_RATE} (resampled when needed), or what is wrong with the WAV. */
export function waveformOf(wav: Uint8Array): E.Either<string, Float32Array> {
  return pipe(
    decodeWav(wav),
    E.map((audio) => (audio.sampleRate === WAVEFORM_RATE ? audio.samples : resample(audio.samples, audio.sampleRate, WAVEFORM_RATE))),
  );
}

/**
 * WAV bytes → samples at 16 kHz, the alignment kept: the stage before
 * augmentation. A WAV that cannot be decoded is skipped and reported to
 * `skipped`, or with `strict` ends the stream with an error naming it.
 *
 * @example
 * utterances(dir, query).pipe(waveforms(), augment(plan, { seed: 1, epoch }), features({ normalisation }))
 */
export function waveforms(options: WaveformOptions = {}): OperatorFunction<AudioUtterance, WaveformUtterance> {
  return operate((subscriber) => ({
    next: (utterance) => {
      const samples = waveformOf(utterance.wav);
      if (E.isRight(samples)) {
        subscriber.next({ id: utterance.id, source: utterance.source, samples: samples.right, alignment: utterance.alignment });
        return;
      }
      const reason = `${utterance.source}: ${samples.left}`;
      if (options.strict) throw new InputError(`utterance ${utterance.id}: ${reason}`);
      options.skipped?.next?.({ id: utterance.id, reason });
    },
  }));
}
