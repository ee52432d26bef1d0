import type { OperatorFunction } from 'rxjs';
import { InputError } from '../../errors.js';
import type { AudioBlock } from '../io/audio-blocks.js';
import { operate } from '../pipeline/operate.js';
import { liveRecognition, type Hypothesis, type LiveOptions, type LiveRecognition } from './live-recognition.js';
import type { Recognizer } from './recognizer.js';

/**
 * Audio blocks of any size → partial and final hypotheses, with the network
 * state and the search carried from block to block (see
 * {@link liveRecognition}); the first block's sample rate is the stream's.
 * The source's end publishes the last final; every subscription recognises
 * afresh. A block at another rate, or holding a sample that is not a finite
 * number, ends the stream with an {@link InputError}.
 *
 * @example
 * microphone$.pipe(recognizeStream(recognizer)).subscribe((h) => h.type === 'final' && console.log(h.words.join(' ')))
 */
export function recognizeStream(recognizer: Recognizer, options: Omit<LiveOptions, 'sampleRate'> = {}): OperatorFunction<AudioBlock, Hypothesis> {
  return operate((subscriber) => {
    let live: LiveRecognition | null = null;
    let rate = 0;
    return {
      next: ({ sampleRate, samples }) => {
        if (live === null) {
          live = liveRecognition(recognizer, { ...options, sampleRate });
          rate = sampleRate;
        } else if (sampleRate !== rate) throw new InputError(`the audio changed sample rate from ${rate} to ${sampleRate} Hz mid-stream`);
        for (const hypothesis of live.accept(samples)) subscriber.next(hypothesis);
      },
      complete: () => {
        if (live !== null) for (const hypothesis of live.end()) subscriber.next(hypothesis);
        subscriber.complete();
      },
    };
  });
}
