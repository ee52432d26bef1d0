import type { Worker } from 'node:worker_threads';
import { merge, NEVER, Observable, timer } from 'rxjs';
import { InputError } from '../../errors.js';
import { augments, type AugmentationPlan } from '../../model/augmentation/plan.js';
import { babbleBank } from '../corpora/babble-bank.js';
import { splitFrames } from '../corpora/corpus.js';
import type { Checkpoint } from '../../model/formats/checkpoint.js';
import type { ModelConfig } from '../../model/network/config.js';
import { initParameters } from '../../model/network/init.js';
import { layoutOf } from '../../model/network/layout.js';
import { networkOf } from '../../model/network/network.js';
import { learningRateAt, type Schedule } from '../../model/network/schedule.js';
import { cmvnTransform, type CmvnStats } from '../../ops/dsp/cmvn.js';
import type { KernelName } from '../../ops/kernels/choice.js';
import type { ChunkOptions } from '../pipeline/chunk.js';
import { deltaPushes } from '../cluster/delta-pushes.js';
import type { ParameterServerClient } from '../cluster/parameter-client.js';
import { CLOCK_BYTES, sharedClock } from '../pipeline/frame-clock.js';
import { answerMailbox, mailboxFor } from '../pipeline/push-gradients.js';
import { errorOf, onThreadFailure, startThread } from '../threads/thread.js';
import { corpusCmvn, devEvaluator } from './evaluate.js';
import { shareParameters } from './shared-parameters.js';
import type { TrainingThreadCommand, TrainingThreadMessage, TrainingThreadSetup } from './thread-protocol.js';
import { trainingEvents, type Position, type TrainEvent } from './training-events.js';

export type { Position, TrainEvent } from './training-events.js';

/** What train() takes when its options leave them out: the shuffle buffer, the utterances feature statistics come from, how often progress is reported. */
export const TRAINING_DEFAULTS = {
  /** utterances in the shuffle buffer: the bound on the manifest entries held at once */
  shuffleBuffer: 2000,
  /** training utterances the global feature statistics are taken from */
  cmvnUtterances: 500,
  /** ms between progress reports */
  reportEvery: 500,
  /** training utterances babble noise is mixed from */
  babbleTalkers: 32,
} as const;

export interface TrainOptions {
  readonly corpus: string;
  readonly config: ModelConfig;
  /** how the threads' gradients become new parameters */
  readonly update: TrainUpdate;
  readonly threads: number;
  /** this process's part of the training data, when it is one of many threads (default: all of it) */
  readonly part?: { readonly index: number; readonly count: number };
  /** passes over the training data (Infinity: until maxFrames) */
  readonly epochs: number;
  /** stop once this many frames have been trained on (Infinity: after the epochs) */
  readonly maxFrames: number;
  readonly chunking: ChunkOptions;
  readonly delay: number;
  readonly seed: number;
  readonly shuffleBuffer?: number;
  /** frames between evaluations on dev (each also gives a checkpoint) */
  readonly evalEvery: number;
  /** dev utterances scored at each evaluation (0: no evaluation) */
  readonly devUtterances: number;
  /** training utterances the global feature statistics are taken from */
  readonly cmvnUtterances?: number;
  readonly strict: boolean;
  /** the kernels every thread runs on */
  readonly kernels: KernelName;
  /** a fresh network's weights are uniform in (−initRange, initRange) (the paper: 0.02) */
  readonly initRange: number;
  /** continue from this checkpoint: its weights, statistics and schedule position */
  readonly resume?: Checkpoint;
  /** how often (ms) progress is reported */
  readonly reportEvery?: number;
  /** when this emits, the threads finish their chunks and training ends as if done (final evaluation and checkpoint) */
  readonly until?: Observable<unknown>;
  /** a time budget: training ends after this many seconds, and an annealing schedule plans for what they will hold */
  readonly seconds?: number;
  /** augment every training utterance afresh each epoch (babble from training utterances chosen by the seed) */
  readonly augmentation?: AugmentationPlan;
  /**
   * The alignments to train on, when not the corpus's: a file to start from
   * (line for line with the manifest), and a stream of files that replace
   * it, each from the threads' next epoch on (realignment by the model).
   */
  readonly alignments?: { readonly initial: string; readonly updates?: Observable<string> };
}

/**
 * Local: each thread applies SGD to the process's one parameter buffer, as on
 * one of the paper's machines. Remote: each thread's gradients go to the
 * sharded parameter server every `pushEvery` chunks; every `fetchEvery`-th
 * push brings the shards' fresh values back into the buffer (DistBelief's
 * n_push and n_fetch), and the schedule lives on the shards. Remote with
 * `push: 'deltas'`: local SGD; the threads apply SGD to the process's buffer
 * with the shards' schedule, and at most every `pushEvery` chunks of a
 * thread the process pushes what changed since its last push (its share of
 * the workers' average, or all of it to sum them), which the shards add to
 * their values, and merges their fresh values in (every push fetches).
 */
export type TrainUpdate =
  | { readonly kind: 'local'; readonly schedule: Schedule }
  | {
      readonly kind: 'remote';
      readonly server: ParameterServerClient;
      readonly pushEvery: number;
      readonly fetchEvery: number;
      /** what the process pushes (default: gradients) */
      readonly push?: 'gradients' | 'deltas';
      /** how the shards combine the deltas of the run's `part.count` workers: averaged (the default) or summed */
      readonly combine?: 'average' | 'sum';
    };

/**
 * Multi-threaded ASGD, as on one of the paper's machines: `threads` worker
 * threads each run the training pipeline on their shard of the data and
 * update ONE shared parameter buffer without locks (Hogwild), driven by one
 * shared frame clock. The main thread evaluates on dev at intervals and at
 * the end, emitting a checkpoint each time. Unsubscribing stops the threads.
 *
 * @example
 * train(options).pipe(tap(keepRun('runs/mine'))).subscribe()
 */
export function train(options: TrainOptions): Observable<TrainEvent> {
  return new Observable<TrainEvent>((subscriber) => {
    const threads: Worker[] = [];
    let stopped = false;
    // Ends the run with an error: a failed evaluation, or the subscriber gone (the threads, terminated, never say done).
    let abort: (error: unknown) => void = () => {};
    const stop = () => {
      stopped = true;
      for (const thread of threads) void thread.terminate();
      abort(new Error('training was stopped'));
    };

    const run = async () => {
      const { config, update } = options;
      const remote = update.kind === 'remote' ? update : null;
      const pulled = remote ? new Float32Array(layoutOf(config).size) : null;
      const server = remote && pulled ? await remote.server.pull(pulled) : null;
      const start = server ? { framesSeen: server.framesSeen, updates: 0, epoch: 0 } : (options.resume?.training ?? { framesSeen: 0, updates: 0, epoch: 0 });
      const { kernels, parameters, shared } = shareParameters(options.kernels, pulled ?? options.resume?.parameters ?? initParameters(config, options.seed, options.initRange));
      const clockBuffer = new SharedArrayBuffer(CLOCK_BYTES);
      const stopBuffer = new SharedArrayBuffer(4);
      // One origin for the time budget and every `elapsed`: the setup below (babble bank, CMVN) counts
      // against the budget, so a plan made from `elapsed` (the anneal, a flat start's realignments) ends with it.
      const began = performance.now();
      const deadline = options.seconds === undefined ? NEVER : timer(options.seconds * 1000);
      const stopping = merge(options.until ?? NEVER, deadline).subscribe(() => Atomics.store(new Int32Array(stopBuffer), 0, 1));
      const augmentation = options.augmentation && augments(options.augmentation)
        ? { plan: options.augmentation, bank: await babbleBank(options.corpus, options.seed, TRAINING_DEFAULTS.babbleTalkers, options.alignments?.initial) }
        : undefined;
      let latestAlignments = options.alignments?.initial;
      const clock = sharedClock(clockBuffer);
      clock.advance(start.framesSeen);
      clock.plan(await plannedFrames(options));
      const stats: CmvnStats = options.resume?.cmvn ?? (await corpusCmvn(options.corpus, 'train', options.cmvnUtterances ?? TRAINING_DEFAULTS.cmvnUtterances, config.inputs, options.alignments?.initial));
      if (stats.count === 0) throw new InputError(`${options.corpus}: no readable training utterances`);
      const cmvn = cmvnTransform(stats);

      let updates = start.updates;
      const epochs = new Array<number>(options.threads).fill(start.epoch);
      let lastLearningRate = server?.learningRate ?? (update.kind === 'local' ? learningRateAt(update.schedule, start.framesSeen) : 0);
      let pushFailure: unknown = null;
      // Pushing deltas: the process's one push loop, fed by every thread's requests.
      const deltas =
        remote?.push === 'deltas'
          ? deltaPushes(remote.server, {
              parameters,
              base: pulled!,
              share: remote.combine === 'sum' ? 1 : 1 / (options.part?.count ?? 1),
              // The shards' count, and what this worker trained while the push travelled.
              answered: (answer, meanwhile) => clock.advance(Math.max(0, answer.framesSeen + meanwhile - clock.frames)),
              failed: (error) => {
                pushFailure ??= error;
                abort(error);
              },
              stopped: () => stopped,
              trained: () => clock.frames,
            })
          : null;
      let deltasPushed: Promise<void> = Promise.resolve();
      const mailboxes = Array.from({ length: remote && !deltas ? options.threads : 0 }, () => mailboxFor(parameters.length));
      const pushes = new Array<number>(options.threads).fill(0);
      const inFlight = new Array<Promise<void>>(options.threads).fill(Promise.resolve());
      const position = (): Position => ({
        framesSeen: clock.frames,
        updates,
        epoch: Math.min(...epochs),
        elapsed: (performance.now() - began) / 1000,
        learningRate: lastLearningRate,
      });
      const events = trainingEvents(
        subscriber,
        {
          evalEvery: options.evalEvery,
          firstFrame: start.framesSeen,
          reportEvery: options.reportEvery ?? TRAINING_DEFAULTS.reportEvery,
          position,
          snapshot: async () => {
            // The shared model lives on the shards; this process's copy may be a few pushes old, and
            // pushing deltas, it holds training not yet pushed, which a pull into it would lose: those
            // values go into a buffer of their own, stamped with the shards' own count.
            const { epoch, ...here } = position();
            if (deltas) {
              const shared = new Float32Array(parameters.length);
              const pulled = await remote!.server.pull(shared);
              return { config, parameters: shared, cmvn: stats, training: { framesSeen: pulled.framesSeen, updates: pulled.updates, epoch }, delay: options.delay };
            }
            if (remote) await remote.server.pull(parameters);
            return { config, parameters: parameters.slice(), cmvn: stats, training: { framesSeen: here.framesSeen, updates, epoch }, delay: options.delay };
          },
          evaluate: devEvaluator(options.corpus, networkOf(config, kernels.alloc(parameters.length), kernels), {
            normalisation: cmvn,
            chunking: options.chunking,
            delay: options.delay,
            utterances: options.devUtterances,
            alignments: () => latestAlignments,
          }),
          failed: (error) => abort(error),
        },
        () => stopped,
      );

      const finished = new Promise<void>((resolve, reject) => {
        abort = reject;
        // Stopped while it was setting up: no thread is started.
        if (stopped) return reject(new Error('training was stopped'));
        let running = options.threads;
        for (let index = 0; index < options.threads; index++) {
          const setup: TrainingThreadSetup = {
            corpus: options.corpus,
            config,
            parameters: shared,
            clock: clockBuffer,
            stop: stopBuffer,
            update: deltas
              ? { kind: 'deltas', schedule: deltas.schedule, pushEvery: remote!.pushEvery }
              : remote
                ? { kind: 'remote', mailbox: mailboxes[index], pushEvery: remote.pushEvery }
                : { kind: 'local', schedule: (update as { schedule: Schedule }).schedule },
            chunking: options.chunking,
            delay: options.delay,
            shard: { index: (options.part?.index ?? 0) * options.threads + index, count: (options.part?.count ?? 1) * options.threads },
            firstEpoch: start.epoch,
            epochs: options.epochs,
            maxFrames: options.maxFrames,
            seed: options.seed,
            shuffleBuffer: options.shuffleBuffer ?? TRAINING_DEFAULTS.shuffleBuffer,
            cmvn,
            strict: options.strict,
            reportEvery: options.reportEvery ?? TRAINING_DEFAULTS.reportEvery,
            ...(augmentation && { augmentation }),
            ...(options.alignments && { alignments: latestAlignments }),
          };
          const thread = startThread('training-thread', import.meta.url, setup);
          threads.push(thread);
          thread.on('message', (message: TrainingThreadMessage) => {
            switch (message.type) {
              case 'progress':
                updates += message.updates;
                lastLearningRate = message.learningRate;
                events.trained({ loss: message.loss, frames: message.frames, correct: message.correct });
                break;
              case 'push': {
                // A fetching push wakes its thread once the fresh values are in the parameters. Any other
                // push is encoded (the mailbox copied into its messages) as soon as it starts, so the thread
                // goes on training while it travels; its next push waits until this one is through.
                const fetch = ++pushes[index] % remote!.fetchEvery === 0;
                const mailbox = mailboxes[index];
                inFlight[index] = inFlight[index].then(() => {
                  const pushing = remote!.server.push(new Float32Array(mailbox.gradient), message.frames, fetch ? parameters : null, index);
                  if (!fetch) answerMailbox(mailbox, { framesSeen: clock.frames, learningRate: lastLearningRate });
                  return pushing.then(
                    (answer) => {
                      clock.advance(Math.max(0, answer.framesSeen - clock.frames));
                      lastLearningRate = answer.learningRate;
                      if (fetch) answerMailbox(mailbox, answer);
                    },
                    (error: unknown) => {
                      pushFailure ??= error;
                      answerMailbox(mailbox, null);
                      reject(error);
                    },
                  );
                });
                break;
              }
              case 'deltas':
                deltasPushed = deltas!.request(message.frames, message.updates);
                break;
              case 'epoch':
                epochs[index] = message.epoch;
                break;
              case 'skipped':
                events.skipped(message.id, message.reason);
                break;
              case 'failed':
                reject(errorOf(message));
                break;
              case 'done':
                if (--running === 0) resolve();
                break;
            }
          });
          onThreadFailure(thread, `training thread ${index}`, reject, () => !stopped);
        }
      });

      // Evaluate on dev each time another evalEvery frames have gone by, while the threads train; with a
      // time budget, plan for the frames the rest of it will hold at the speed of the last stretch.
      let pace = { at: 0, frames: clock.frames };
      const watch = setInterval(() => {
        events.due(clock.frames);
        const now = (performance.now() - began) / 1000;
        if (options.seconds === undefined || now - pace.at < 2) return;
        const perSecond = (clock.frames - pace.frames) / (now - pace.at);
        if (pace.at > 0) clock.plan(clock.frames + perSecond * Math.max(0, options.seconds - now));
        pace = { at: now, frames: clock.frames };
      }, 100);
      const realigned = options.alignments?.updates?.subscribe((path) => {
        latestAlignments = path;
        events.retargeted();
        for (const thread of threads) thread.postMessage({ type: 'alignments', path } satisfies TrainingThreadCommand);
      });
      try {
        await finished;
        await Promise.all([...inFlight, deltasPushed]);
        // A thread's last push may fail after the thread is done.
        if (pushFailure !== null) throw pushFailure;
      } finally {
        clearInterval(watch);
        stopping?.unsubscribe();
        realigned?.unsubscribe();
      }
      await events.finish();
    };

    run().then(
      () => {
        stop();
        subscriber.complete();
      },
      (error: unknown) => {
        stop();
        subscriber.error(error);
      },
    );
    return stop;
  });
}

/**
 * The frames a run plans to train on, for an annealing schedule: the frame
 * budget, or every training frame of this process's part once per epoch
 * (from the start of training, so a resumed run keeps its plan); 0 when
 * only a time budget bounds it (the run estimates it as it goes).
 */
async function plannedFrames(options: TrainOptions): Promise<number> {
  if (Number.isFinite(options.maxFrames)) return options.maxFrames;
  if (options.seconds !== undefined || !Number.isFinite(options.epochs)) return 0;
  const frames = await splitFrames(options.corpus, 'train');
  return options.epochs * Math.ceil(frames / (options.part?.count ?? 1));
}
