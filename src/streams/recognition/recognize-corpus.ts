import { Observable } from 'rxjs';
import type { Checkpoint } from '../../model/formats/checkpoint.js';
import type { Split } from '../../model/corpus/manifest.js';
import type { Condition } from '../../model/augmentation/conditions.js';
import type { FrameSpan } from '../../ops/dsp/speech-span.js';
import type { AlignedUtterance } from './aligner.js';
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
  readonly condition?: Condition;
  /** recognise each utterance, or force-align it to its transcript with this beam */
  readonly task: { readonly kind: 'recognize' } | { readonly kind: 'align'; readonly beam: number; readonly speech?: ReadonlyMap<string, FrameSpan> };
  /** with `split` absent, every utterance of the corpus (alignment) */
  readonly everySplit?: boolean;
}

/** One utterance of a corpus, transcribed or left out. */
export type CorpusRecognitionEvent =
  | { readonly type: 'recognized'; readonly id: string; readonly words: readonly string[]; readonly frames: number; readonly final: boolean }
  | { readonly type: 'skipped'; readonly id: string; readonly reason: string };

/** One utterance of a corpus, aligned to its transcript or left out with the reason. */
export type CorpusAlignmentEvent = ({ readonly type: 'aligned'; readonly id: string } & AlignedUtterance) | { readonly type: 'skipped'; readonly id: string; readonly reason: string };

/** What a recognition thread tells the main thread. */
export type RecognitionThreadMessage = CorpusRecognitionEvent | CorpusAlignmentEvent | { readonly type: 'done' } | ThreadFailure;

export interface CorpusRecognitionOptions extends Omit<RecognizerOptions, 'kernels'> {
  readonly split: Split;
  /** the first N utterances of the split only */
  readonly limit?: number;
  readonly threads: number;
  /** hear the split in this condition (a telephone line, noise, a room): robustness, measured */
  readonly condition?: Condition;
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
  const { split, limit, threads, condition, ...recognizer } = options;
  return onThreads<CorpusRecognitionEvent>(corpus, checkpoint, threads, limit, { options: recognizer, split, condition, task: { kind: 'recognize' } });
}

export interface CorpusAlignmentOptions extends Omit<RecognizerOptions, 'kernels'> {
  /** one split, or (absent) every utterance of the corpus in manifest order */
  readonly split?: Split;
  readonly threads: number;
  /** alignment paths scoring this far below the frame's best are dropped */
  readonly alignBeam: number;
  /** by utterance id, the frames its words must lie in: the frames outside are silence */
  readonly speech?: ReadonlyMap<string, FrameSpan>;
}

/**
 * Force-aligns every utterance of a corpus split (or of the whole corpus,
 * in manifest order) to its transcript on `threads` worker threads
 * (alignerOf), events in corpus order: each utterance aligned, or skipped
 * with the reason (unreadable audio, an unknown word, too few frames).
 *
 * @example
 * alignCorpus('corpora/mine', checkpoint, { ...DEFAULT_ALIGNER_OPTIONS, threads: 2 }).subscribe(write)
 */
export function alignCorpus(corpus: string, checkpoint: Checkpoint, options: CorpusAlignmentOptions): Observable<CorpusAlignmentEvent> {
  const { split, threads, alignBeam, speech, ...recognizer } = options;
  return onThreads<CorpusAlignmentEvent>(corpus, checkpoint, threads, undefined, {
    options: recognizer,
    split: split ?? 'train',
    everySplit: split === undefined,
    task: { kind: 'align', beam: alignBeam, speech },
  });
}

/** A task on recognition threads, utterance k going to thread k mod threads; its events re-ordered into corpus order. */
function onThreads<Event extends { readonly type: string }>(
  corpus: string,
  checkpoint: Checkpoint,
  threads: number,
  limit: number | undefined,
  task: Omit<RecognitionThreadSetup, 'corpus' | 'checkpoint' | 'shard' | 'limit'>,
): Observable<Event> {
  return new Observable<Event>((subscriber) => {
    const count = Math.max(1, Math.min(threads, limit ?? threads));
    const queues: Event[][] = Array.from({ length: count }, () => []);
    let next = 0;
    let running = count;
    const flush = () => {
      while (queues[next % count].length > 0) {
        subscriber.next(queues[next % count].shift() as Event);
        next++;
      }
    };
    const started = Array.from({ length: count }, (_, index) => {
      const setup: RecognitionThreadSetup = {
        ...task,
        corpus,
        checkpoint,
        shard: { index, count },
        limit: limit === undefined ? undefined : Math.ceil((limit - index) / count),
      };
      const thread = startThread('recognition-thread', import.meta.url, setup);
      thread.on('message', (message: RecognitionThreadMessage) => {
        switch (message.type) {
          case 'recognized':
          case 'aligned':
          case 'skipped':
            queues[index].push(message as unknown as Event);
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
