import * as E from 'fp-ts/lib/Either.js';
import { lastValueFrom, tap } from 'rxjs';
import { InputError } from '../../errors.js';
import { runThread } from '../threads/thread.js';
import { utterances } from '../corpora/corpus.js';
import { recognize } from './recognize.js';
import type { RecognitionThreadMessage, RecognitionThreadSetup } from './recognize-corpus.js';
import { features } from '../pipeline/features.js';
import { recognizerOf } from './recognizer.js';

/**
 * One recognition thread: transcribes its shard of a corpus split and posts one
 * message per utterance (decoded or skipped), in corpus order.
 */
async function run(setup: RecognitionThreadSetup, post: (message: RecognitionThreadMessage) => void): Promise<void> {
  const recognizer = recognizerOf(setup.checkpoint, setup.options);
  if (E.isLeft(recognizer)) throw new InputError(recognizer.left);
  const skipped = { next: ({ id, reason }: { id: string; reason: string }) => post({ type: 'skipped', id, reason }) };
  await lastValueFrom(
    utterances(setup.corpus, { split: setup.split, shard: setup.shard, limit: setup.limit, skipped }).pipe(
      features({ normalisation: recognizer.right.normalisation, skipped }),
      recognize(recognizer.right),
      tap(({ id, words, frames, final }) => post({ type: 'recognized', id, words, frames, final })),
    ),
    { defaultValue: null },
  );
}

runThread(run);
