import * as E from 'fp-ts/lib/Either.js';
import { filter, lastValueFrom, map, reduce, tap, type Observer } from 'rxjs';
import type { Checkpoint } from '../../model/formats/checkpoint.js';
import type { Split } from '../../model/corpus/manifest.js';
import type { Network } from '../../model/network/network.js';
import { accumulateCmvn, emptyCmvnStats, type CmvnStats } from '../../ops/dsp/cmvn.js';
import { fbankPlan } from '../../ops/dsp/fbank.js';
import { chunk, type ChunkOptions } from '../pipeline/chunk.js';
import { utterances } from '../corpora/corpus.js';
import { delayTargets } from '../pipeline/delay-targets.js';
import { features, featuresOf, type Normalisation, type SkippedUtterance } from '../pipeline/features.js';
import { NO_SCORE, runningScore, score, type Score } from '../pipeline/score.js';

export interface EvaluationOptions {
  readonly split: Split;
  readonly normalisation: Normalisation;
  readonly chunking: ChunkOptions;
  readonly delay: number;
  /** score at most this many utterances (the first ones of the split) */
  readonly limit?: number;
  readonly skipped?: Partial<Observer<SkippedUtterance>>;
  /** called for each utterance taken from the split, its audio readable or not (for progress) */
  readonly reached?: () => void;
  /** the alignments to score against, when not the corpus's alignments.txt */
  readonly alignments?: string;
}

/**
 * Loss and frame accuracy of a network over a corpus split, computed as in
 * training (same features, label delay and chunking, state carried).
 */
export function evaluate(corpus: string, network: Network, options: EvaluationOptions): Promise<Score> {
  const unreadable = (skip: SkippedUtterance) => {
    options.reached?.();
    options.skipped?.next?.(skip);
  };
  return lastValueFrom(
    utterances(corpus, { split: options.split, limit: options.limit, skipped: { next: unreadable }, alignments: options.alignments }).pipe(
      tap(() => options.reached?.()),
      features({ normalisation: options.normalisation, skipped: options.skipped }),
      delayTargets(options.delay),
      chunk(options.chunking),
      score(network),
      runningScore(),
    ),
    { defaultValue: NO_SCORE },
  );
}

/**
 * How a training run scores its model on dev: the first `utterances` dev
 * utterances through `network` (whose parameters each call overwrites with
 * the checkpoint's), as training sees them. No utterances: no score.
 */
export function devEvaluator(
  corpus: string,
  network: Network,
  options: Pick<EvaluationOptions, 'normalisation' | 'chunking' | 'delay'> & { readonly utterances: number; readonly alignments?: () => string | undefined },
): (checkpoint: Checkpoint) => Promise<Score> {
  const { alignments, utterances, ...scoring } = options;
  return (checkpoint) => {
    if (utterances === 0) return Promise.resolve(NO_SCORE);
    network.parameters.set(checkpoint.parameters);
    return evaluate(corpus, network, { ...scoring, split: 'dev', limit: utterances, alignments: alignments?.() });
  };
}

/** Global feature statistics over the first `limit` utterances of a split (unreadable ones are left out; `alignments`: as in {@link EvaluationOptions}). */
export function corpusCmvn(corpus: string, split: Split, limit: number, bins = 40, alignments?: string): Promise<CmvnStats> {
  const plan = fbankPlan({ bins });
  return lastValueFrom(
    utterances(corpus, { split, limit, alignments }).pipe(
      map((utterance) => featuresOf(utterance.wav, plan, 'none')),
      filter(E.isRight),
      reduce((stats, matrix) => accumulateCmvn(stats, matrix.right), emptyCmvnStats(bins)),
    ),
  );
}
