import { Worker } from 'node:worker_threads';
import { Observable } from 'rxjs';
import { InputError } from '../errors.js';
import type { Checkpoint } from '../model/checkpoint.js';
import type { Split } from '../model/manifest.js';
import type { RecognizerOptions } from './recognizer.js';
import { workerUrl } from './worker-url.js';

/** What a decoding thread gets: plain data, cloned into the worker. */
export interface DecodeWorkerSetup {
  readonly corpus: string;
  readonly checkpoint: Checkpoint;
  readonly options: Omit<RecognizerOptions, 'kernels'>;
  readonly split: Split;
  readonly shard: { readonly index: number; readonly count: number };
  readonly limit?: number;
}

/** One utterance of a corpus, transcribed or left out. */
export type CorpusDecodeEvent =
  | { readonly type: 'decoded'; readonly id: string; readonly words: readonly string[]; readonly frames: number; readonly final: boolean }
  | { readonly type: 'skipped'; readonly id: string; readonly reason: string };

/** What a decoding thread tells the main thread. */
export type DecodeWorkerMessage = CorpusDecodeEvent | { readonly type: 'done' } | { readonly type: 'error'; readonly input: boolean; readonly message: string };

export interface CorpusDecodeOptions extends Omit<RecognizerOptions, 'kernels'> {
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
 * decodeCorpus('corpora/synthdigits', checkpoint, { ...DEFAULT_RECOGNIZER_OPTIONS, split: 'test', threads: 2 }).subscribe(show)
 */
export function decodeCorpus(corpus: string, checkpoint: Checkpoint, options: CorpusDecodeOptions): Observable<CorpusDecodeEvent> {
  return new Observable<CorpusDecodeEvent>((subscriber) => {
    const { split, limit, threads, ...recognizer } = options;
    const count = Math.max(1, Math.min(threads, limit ?? threads));
    const queues: CorpusDecodeEvent[][] = Array.from({ length: count }, () => []);
    let next = 0;
    let running = count;
    const flush = () => {
      while (queues[next % count].length > 0) {
        subscriber.next(queues[next % count].shift() as CorpusDecodeEvent);
        next++;
      }
    };
    const workers = Array.from({ length: count }, (_, index) => {
      const setup: DecodeWorkerSetup = {
        corpus,
        checkpoint,
        options: recognizer,
        split,
        shard: { index, count },
        limit: limit === undefined ? undefined : Math.ceil((limit - index) / count),
      };
      const worker = new Worker(workerUrl('decode-worker', import.meta.url), { workerData: setup });
      worker.on('message', (message: DecodeWorkerMessage) => {
        switch (message.type) {
          case 'decoded':
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
          case 'error':
            subscriber.error(message.input ? new InputError(message.message) : new Error(message.message));
            break;
        }
      });
      worker.on('error', (error) => subscriber.error(error));
      worker.on('exit', (code) => {
        if (code !== 0) subscriber.error(new Error(`decoding thread ${index} exited with code ${code}`));
      });
      return worker;
    });
    return () => {
      for (const worker of workers) void worker.terminate();
    };
  });
}
