import { lastValueFrom, Subject, takeWhile, tap, type Observable, type OperatorFunction } from 'rxjs';
import { runThread } from '../threads/thread.js';
import { parentPort } from 'node:worker_threads';
import { augment } from '../pipeline/augment.js';
import { waveforms, type WaveformUtterance } from '../pipeline/waveforms.js';
import type { AudioUtterance } from '../pipeline/features.js';
import { networkOf, type Network } from '../../model/network/network.js';
import { bptt, type ChunkGradient } from '../pipeline/bptt.js';
import { chunk, type Chunk } from '../pipeline/chunk.js';
import { utterances } from '../corpora/corpus.js';
import { delayTargets } from '../pipeline/delay-targets.js';
import { features } from '../pipeline/features.js';
import { sharedClock, type FrameClock } from '../pipeline/frame-clock.js';
import { attachParameters } from './shared-parameters.js';
import { pushDeltas } from '../pipeline/push-deltas.js';
import { pushGradients } from '../pipeline/push-gradients.js';
import { sgd, type TrainingStep } from '../pipeline/sgd.js';
import type { ThreadUpdate, TrainingThreadCommand, TrainingThreadMessage, TrainingThreadSetup } from './thread-protocol.js';

/**
 * One Hogwild training thread: runs the whole single-thread pipeline on its
 * shard of the training data, updating the parameter buffer it shares with
 * the other threads (or pushing its gradients to the parameter server, whose
 * answers land in that buffer), and reports progress to the main thread.
 */
async function run(setup: TrainingThreadSetup, post: (message: TrainingThreadMessage) => void): Promise<void> {
  const { kernels, parameters } = attachParameters(setup.parameters);
  const network = networkOf(setup.config, parameters, kernels);
  const clock = sharedClock(setup.clock);
  const stopFlag = new Int32Array(setup.stop);
  const going = () => clock.frames < setup.maxFrames && Atomics.load(stopFlag, 0) === 0;
  const skipped = { next: ({ id, reason }: { id: string; reason: string }) => post({ type: 'skipped', id, reason }) };
  let pending = { updates: 0, loss: 0, frames: 0, correct: 0, learningRate: 0 };
  let lastReport = performance.now();
  const report = () => {
    if (pending.frames > 0) post({ type: 'progress', ...pending });
    pending = { updates: 0, loss: 0, frames: 0, correct: 0, learningRate: pending.learningRate };
    lastReport = performance.now();
  };

  // One subscription of the training stages for every epoch: momentum's velocity carries across
  // epochs, and the gradient and workspaces are allocated once per thread.
  const chunks = new Subject<Chunk>();
  let failure: unknown = null;
  const trained = lastValueFrom(
    chunks.pipe(
      bptt(network),
      updateStage(setup.update, network, clock, post),
      tap((step) => {
        pending.updates++;
        pending.loss += step.loss;
        pending.frames += step.frames;
        pending.correct += step.correct;
        pending.learningRate = step.learningRate;
        if (performance.now() - lastReport >= setup.reportEvery) report();
      }),
    ),
    { defaultValue: null },
  ).catch((error: unknown) => {
    failure = error;
  });

  // The alignments training reads: the corpus's, or the latest its run sent (a realignment), from the next epoch on.
  let alignments = setup.alignments;
  parentPort?.on('message', (message: TrainingThreadCommand) => {
    if (message.type === 'alignments') alignments = message.path;
  });
  const { augmentation } = setup;
  for (let epoch = setup.firstEpoch; epoch < setup.epochs && going() && failure === null; epoch++) {
    const source = utterances(setup.corpus, {
      split: 'train',
      shard: setup.shard,
      shuffle: { seed: setup.seed * 7919 + epoch, buffer: setup.shuffleBuffer },
      skipped,
      strict: setup.strict,
      alignments,
    });
    const audio: Observable<AudioUtterance | WaveformUtterance> = augmentation
      ? source.pipe(waveforms({ strict: setup.strict, skipped }), augment(augmentation.plan, { seed: setup.seed, epoch, bank: augmentation.bank }))
      : source;
    let interrupted = false;
    await lastValueFrom(
      audio.pipe(
        features({ normalisation: setup.cmvn, strict: setup.strict, skipped }),
        delayTargets(setup.delay),
        chunk(setup.chunking),
        takeWhile(() => !(interrupted = !going() || failure !== null)),
        tap((piece) => chunks.next(piece)),
      ),
      { defaultValue: null },
    );
    report();
    if (!interrupted) post({ type: 'epoch', epoch: epoch + 1 });
  }
  chunks.complete();
  await trained;
  report();
  if (failure !== null) throw failure;
}

/** The stages that turn a chunk's gradient into an update of the parameters, as `update` says. */
function updateStage(update: ThreadUpdate, network: Network, clock: FrameClock, post: (message: TrainingThreadMessage) => void): OperatorFunction<ChunkGradient, TrainingStep> {
  switch (update.kind) {
    case 'local':
      return sgd(network, update.schedule, clock);
    case 'remote':
      return pushGradients(update.mailbox, update.pushEvery, (frames) => post({ type: 'push', frames }));
    case 'deltas':
      return (gradients) => gradients.pipe(sgd(network, update.schedule, clock), pushDeltas(update.pushEvery, (frames, updates) => post({ type: 'deltas', frames, updates })));
  }
}

runThread(run);
