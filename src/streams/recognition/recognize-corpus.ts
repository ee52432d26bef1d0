import { Observable } from 'rxjs';
import type { Checkpoint } from '../../model/formats/checkpoint.js';
import type { Split } from '../../model/corpus/manifest.js';
import type { RecognizerOptions } from './recognizer.js';
import { errorOf, onThreadFailure, startThread, type ThreadFailure } from '../threads/thread.js';

/** What a recognition thread gets: plain data, cloned into the thread. */
export interface RecognitionThreadSetup {
  readonly corpus: string;
  readonly checkpoint: Checkpoint;
  readonly options: Omit<RecognizerOptions, 'kernels'>;
  readonly split: Split;
  readonly shard: { readonly index: number; readonly count: number };
  readonly limit?: number;
}

/** One utterance of a corpus, transcribed or left out. */
export type CorpusRecognitionEvent =
  | { readonly type: 'recognized'; readonly id: string; readonly words: readonly string[]; readonly frames: number; readonly final: boolean }
  | { readonly type: 'skipped'; readonly id: string; readonly reason: string };

/** What a recognition thread tells the main thread. */
export type RecognitionThreadMessage = CorpusRecognitionEvent | { readonly type: 'done' } | ThreadFailure;

export interface CorpusRecognitionOptions extends Omit<RecognizerOptions, 'kernels'> {
  readonly split: Split;
  /** the first N utterances of the split only */
  readonly limit?: number;
  readonly threads: number;
}

/**
 * Transcribes a corpus split on `threads` worker threads, utterance k going
 * to thread k mod threads; events come out in corpus order, one per
 * utterance (those whose audio cannot be read are `skipped`). Unsubscribing
 * stops the threads.
 *
 * @example
 * recognizeCorpus('corpora/synthdigits', checkpoint, { ...DEFAULT_RECOGNIZER_OPTIONS, split: 'test', threads: 2 }).subscribe(show)
 */
export function recognizeCorpus(corpus: string, checkpoint: Checkpoint, options: CorpusRecognitionOptions): Observable<CorpusRecognitionEvent> {
  return new Observable<CorpusRecognitionEvent>((subscriber) => {
    const { split, limit, threads, ...recognizer } = options;
    const count = Math.max(1, Math.min(threads, limit ?? threads));
    const queues: CorpusRecognitionEvent[][] = Array.from({ length: count }, () => []);
    let next = 0;
    let running = count;
    const flush = () => {
      while (queues[next % count].length > 0) {
        subscriber.next(queues[next % count].shift() as CorpusRecognitionEvent);
        next++;
      }
    };
    const started = Array.from({ length: count }, (_, index) => {
      const setup: RecognitionThreadSetup = {
        corpus,
        checkpoint,
        options: recognizer,
        split,
        shard: { index, count },
        limit: limit === undefined ? undefined : Math.ceil((limit - index) / count),
      };
      const thread = startThread('recognition-thread', import.meta.url, setup);
      thread.on('message', (message: RecognitionThreadMessage) => {
        switch (message.type) {
          case 'recognized':
          case 'skipped':
            queues[index].push(message);
            flush();
            break;
          case 'done':
            if (--running === 0) {
              for (let i = 0; i < count; i++) flush();
              subscriber.complete();
            }
            break;
          case 'failed':
            subscriber.error(errorOf(message));
            break;
        }
      });
      onThreadFailure(thread, `recognition thread ${index}`, (error) => subscriber.error(error));
      return thread;
    });
    return () => {
      for (const thread of started) void thread.terminate();
    };
  });
}
