import { scan, type OperatorFunction } from 'rxjs';
import type { Split } from '../../model/corpus/manifest.js';
import { addErrorCounts, editAlignment, NO_ERRORS, type EditAlignment, type ErrorCounts } from '../../ops/search/edit-distance.js';
import { corpusEntries } from '../corpora/corpus.js';
import type { CorpusRecognitionEvent } from './recognize-corpus.js';

/** A decoded utterance scored against its transcript, with the totals so far. */
export type ScoredEvent =
  | {
      readonly type: 'scored';
      readonly id: string;
      readonly reference: readonly string[];
      readonly words: readonly string[];
      readonly final: boolean;
      readonly alignment: EditAlignment;
      readonly totals: ErrorCounts;
      /** frames decoded so far */
      readonly frames: number;
    }
  | { readonly type: 'skipped'; readonly id: string; readonly reason: string; readonly totals: ErrorCounts; readonly frames: number };

/** The transcripts of a corpus split (its first `limit` utterances), by utterance id, in corpus order. */
export async function splitTranscripts(corpus: string, split: Split, limit = Infinity): Promise<Map<string, readonly string[]>> {
  const transcripts = new Map<string, readonly string[]>();
  for await (const { utterance } of corpusEntries(corpus, 'none')) {
    if (utterance.split !== split) continue;
    if (transcripts.size >= limit) break;
    transcripts.set(utterance.id, utterance.words);
  }
  return transcripts;
}

/**
 * Scores each decoded utterance against its reference transcript
 * (Levenshtein alignment) and keeps running totals: the last event's
 * `totals` give the corpus word and sentence error rates.
 *
 * @example
 * recognizeCorpus(dir, checkpoint, options).pipe(wordErrors(await splitTranscripts(dir, 'test')), last())
 */
export function wordErrors(references: ReadonlyMap<string, readonly string[]>): OperatorFunction<CorpusRecognitionEvent, ScoredEvent> {
  const start: ScoredEvent = { type: 'skipped', id: '', reason: '', totals: NO_ERRORS, frames: 0 };
  return scan((previous: ScoredEvent, event: CorpusRecognitionEvent): ScoredEvent => {
    if (event.type === 'skipped') return { ...event, totals: previous.totals, frames: previous.frames };
    const reference = references.get(event.id) ?? [];
    const alignment = editAlignment(reference, event.words);
    return {
      type: 'scored',
      id: event.id,
      reference,
      words: event.words,
      final: event.final,
      alignment,
      totals: addErrorCounts(previous.totals, alignment.counts),
      frames: previous.frames + event.frames,
    };
  }, start);
}
