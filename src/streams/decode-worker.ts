import * as E from 'fp-ts/lib/Either.js';
import { lastValueFrom, tap } from 'rxjs';
import { parentPort, workerData } from 'node:worker_threads';
import { InputError } from '../errors.js';
import { utterances } from './corpus.js';
import { decode } from './decode.js';
import type { DecodeWorkerMessage, DecodeWorkerSetup } from './decode-corpus.js';
import { features } from './features.js';
import { recognizerOf } from './recognizer.js';

/**
 * One decoding thread: transcribes its shard of a corpus split and posts one
 * message per utterance (decoded or skipped), in corpus order.
 */
async function run(setup: DecodeWorkerSetup, post: (message: DecodeWorkerMessage) => void): Promise<void> {
  const recognizer = recognizerOf(setup.checkpoint, setup.options);
  if (E.isLeft(recognizer)) throw new InputError(recognizer.left);
  const skipped = { next: ({ id, reason }: { id: string; reason: string }) => post({ type: 'skipped', id, reason }) };
  await lastValueFrom(
    utterances(setup.corpus, { split: setup.split, shard: setup.shard, limit: setup.limit, skipped }).pipe(
      features({ normalisation: recognizer.right.normalisation, skipped }),
      decode(recognizer.right),
      tap(({ id, words, frames, final }) => post({ type: 'decoded', id, words, frames, final })),
    ),
    { defaultValue: null },
  );
}

const port = parentPort!;
const post = (message: DecodeWorkerMessage) => port.postMessage(message);
run(workerData as DecodeWorkerSetup, post).then(
  () => post({ type: 'done' }),
  (error: unknown) => {
    const input = error instanceof InputError;
    post({ type: 'error', input, message: error instanceof Error ? (input ? error.message : String(error.stack)) : String(error) });
  },
);
