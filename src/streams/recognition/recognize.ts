import { map, type OperatorFunction } from 'rxjs';
import type { Recognition, Recognizer, UtteranceFeatures } from './recognizer.js';

/** An utterance's id with what was recognised in it. */
export interface RecognizedUtterance extends Recognition {
  readonly id: string;
}

/**
 * Transcribes each utterance of features: network, priors, Viterbi search
 * (see {@link Recognizer}).
 *
 * @example
 * utterances(dir, { split: 'test' }).pipe(features({ normalisation: recognizer.normalisation }), recognize(recognizer))
 */
export function recognize(recognizer: Recognizer): OperatorFunction<UtteranceFeatures & { readonly id: string }, RecognizedUtterance> {
  return map((utterance) => ({ id: utterance.id, ...recognizer.recognize(utterance) }));
}
