import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { lastValueFrom, map, tap, type Observable } from 'rxjs';
import { InputError } from '../../errors.js';
import { runThread } from '../threads/thread.js';
import { utterances } from '../corpora/corpus.js';
import { recognize } from './recognize.js';
import type { RecognitionThreadMessage, RecognitionThreadSetup } from './recognize-corpus.js';
import { conditionOf } from '../../model/augmentation/conditions.js';
import { applyAugmentation } from '../pipeline/augment.js';
import { features, featuresOf, type AudioUtterance } from '../pipeline/features.js';
import { alignerOf } from './aligner.js';
import { waveforms, type WaveformUtterance } from '../pipeline/waveforms.js';
import { recognizerOf } from './recognizer.js';

/**
 * One recognition thread: transcribes (or force-aligns to their
 * transcripts) its shard of a corpus split, and posts one message per
 * utterance (recognised, aligned or skipped), in corpus order.
 */
async function run(setup: RecognitionThreadSetup, post: (message: RecognitionThreadMessage) => void): Promise<void> {
  const recognizer = recognizerOf(setup.checkpoint, setup.options);
  if (E.isLeft(recognizer)) throw new InputError(recognizer.left);
  const skipped = { next: ({ id, reason }: { id: string; reason: string }) => post({ type: 'skipped', id, reason }) };
  const split = setup.everySplit ? 'all' : setup.split;
  const source = utterances(setup.corpus, { split, shard: setup.shard, limit: setup.limit, skipped, alignments: 'none' });
  const { condition, task } = setup;
  if (task.kind === 'align') {
    const aligner = alignerOf(setup.checkpoint, { ...setup.options, alignBeam: task.beam }, recognizer);
    if (E.isLeft(aligner)) throw new InputError(aligner.left);
    const plan = recognizer.right.fbank;
    await lastValueFrom(
      source.pipe(
        tap((utterance) => {
          const aligned = pipe(
            featuresOf(utterance.wav, plan, recognizer.right.normalisation),
            E.mapLeft((reason) => `${utterance.source}: ${reason}`),
            E.chain((m) => aligner.right.align({ frames: m.frames, dim: m.bins, features: m.data }, utterance.words ?? [], task.speech?.get(utterance.id))),
          );
          post(E.isRight(aligned) ? { type: 'aligned', id: utterance.id, ...aligned.right } : { type: 'skipped', id: utterance.id, reason: aligned.left });
        }),
      ),
      { defaultValue: null },
    );
    return;
  }
  // A condition (telephone, noise, a room) changes the audio before the features, as augmentation does in training.
  const audio: Observable<AudioUtterance | WaveformUtterance> =
    condition === undefined || condition === 'clean' ? source : source.pipe(waveforms({ skipped }), map((u) => applyAugmentation(u, conditionOf(condition, u.id))));
  await lastValueFrom(
    audio.pipe(
      features({ normalisation: recognizer.right.normalisation, skipped, unlabelled: true }),
      recognize(recognizer.right),
      tap(({ id, words, frames, final }) => post({ type: 'recognized', id, words, frames, final })),
    ),
    { defaultValue: null },
  );
}

runThread(run);
