import type { Worker } from 'node:worker_threads';
import { Observable } from 'rxjs';
import { InputError } from '../../errors.js';
import type { Checkpoint } from '../../model/formats/checkpoint.js';
import type { ModelConfig } from '../../model/network/config.js';
import { initParameters } from '../../model/network/init.js';
import { layoutOf } from '../../model/network/layout.js';
import { networkOf } from '../../model/network/network.js';
import { learningRateAt, type Schedule } from '../../model/network/schedule.js';
import { cmvnTransform, type CmvnStats } from '../../ops/dsp/cmvn.js';
import type { KernelName } from '../../ops/kernels/choice.js';
import type { ChunkOptions } from '../pipeline/chunk.js';
import { corpusCmvn, evaluate } from './evaluate.js';
import { sharedClock } from '../pipeline/frame-clock.js';
import { NO_SCORE, addScores, type Score } from '../pipeline/score.js';

import type { ParameterServerClient } from '../cluster/parameter-client.js';
import { answerMailbox, mailboxFor } from '../pipeline/push-gradients.js';
import { shareParameters } from './shared-parameters.js';
import type { TrainingThreadMessage, TrainingThreadSetup } from './thread-protocol.js';
import { errorOf, onThreadFailure, startThread } from '../threads/thread.js';

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
  readonly shuffleBuffer: number;
  /** frames between evaluations on dev (each also gives a checkpoint) */
  readonly evalEvery: number;
  /** dev utterances scored at each evaluation (0: no evaluation) */
  readonly devUtterances: number;
  /** training utterances the global feature statistics are taken from */
  readonly cmvnUtterances: number;
  readonly strict: boolean;
  /** the kernels every thread runs on */
  readonly kernels: KernelName;
  /** a fresh network's weights are uniform in (−initRange, initRange) (the paper: 0.02) */
  readonly initRange: number;
  /** continue from this checkpoint: its weights, statistics and schedule position */
  readonly resume?: Checkpoint;
  /** how often (ms) progress is reported */
  readonly reportEvery: number;
  /** when this emits, the threads finish their chunks and training ends as if done (final evaluation and checkpoint) */
  readonly until?: Observable<unknown>;
}

/**
 * Local: each thread applies SGD to the process's one parameter buffer, as on
 * one of the paper's machines. Remote: each thread's gradients go to the
 * sharded parameter server every `pushEvery` chunks; every `fetchEvery`-th
 * push brings the shards' fresh values back into the buffer (DistBelief's
 * n_push and n_fetch), and the schedule lives on the shards.
 */
export type TrainUpdate =
  | { readonly kind: 'local'; readonly schedule: Schedule }
  | { readonly kind: 'remote'; readonly server: ParameterServerClient; readonly pushEvery: number; readonly fetchEvery: number };

/** Where training stands. */
interface Position {
  readonly framesSeen: number;
  readonly updates: number;
  readonly epoch: number;
  /** seconds since training started */
  readonly elapsed: number;
  readonly learningRate: number;
}

/** What happens during training, as a stream: the CLI draws it, sinks log and save it. */
export type TrainEvent =
  | ({ readonly type: 'progress'; readonly framesPerSecond: number; readonly recent: Score } & Position)
  | { readonly type: 'skipped'; readonly id: string; readonly reason: string; readonly total: number }
  | ({ readonly type: 'evaluation'; readonly dev: Score; readonly train: Score; readonly checkpoint: Checkpoint } & Position)
  | ({ readonly type: 'done'; readonly dev: Score; readonly checkpoint: Checkpoint; readonly skipped: number } & Position);

/**
 * Multi-threaded ASGD, as on one of the paper's machines: `threads` worker
 * threads each run the training pipeline on their shard of the data and
 * update ONE shared parameter buffer without locks (Hogwild), driven by one
 * shared frame clock. The main thread evaluates on dev at intervals and at
 * the end, emitting a checkpoint each time. Unsubscribing stops the threads.
 *
 * @example
 * train(options).pipe(tap(draw), saveCheckpoints(runDir)).subscribe()
 */
export function train(options: TrainOptions): Observable<TrainEvent> {
  return new Observable<TrainEvent>((subscriber) => {
    const threads: Worker[] = [];
    let stopped = false;
    const stop = () => {
      stopped = true;
      for (const thread of threads) void thread.terminate();
    };

    const run = async () => {
      const { config, update } = options;
      const remote = update.kind === 'remote' ? update : null;
      const pulled = remote ? new Float32Array(layoutOf(config).size) : null;
      const server = remote && pulled ? await remote.server.pull(pulled) : null;
      const start = server ? { framesSeen: server.framesSeen, updates: 0, epoch: 0 } : (options.resume?.training ?? { framesSeen: 0, updates: 0, epoch: 0 });
      const { kernels, parameters, shared } = shareParameters(options.kernels, pulled ?? options.resume?.parameters ?? initParameters(config, options.seed, options.initRange));
      const evaluated = networkOf(config, kernels.alloc(parameters.length), kernels);
      const clockBuffer = new SharedArrayBuffer(8);
      const stopBuffer = new SharedArrayBuffer(4);
      const stopping = options.until?.subscribe(() => Atomics.store(new Int32Array(stopBuffer), 0, 1));
      const clock = sharedClock(clockBuffer);
      clock.advance(start.framesSeen);
      const stats: CmvnStats = options.resume?.cmvn ?? (await corpusCmvn(options.corpus, 'train', options.cmvnUtterances, config.inputs));
      if (stats.count === 0) throw new InputError(`${options.corpus}: no readable training utterances`);
      const cmvn = cmvnTransform(stats);
      const began = performance.now();
      const elapsed = () => (performance.now() - began) / 1000;

      let updates = start.updates;
      let skipped = 0;
      const epochs = new Array<number>(options.threads).fill(start.epoch);
      let recent = NO_SCORE;
      let sinceEvaluation = NO_SCORE;
      let lastLearningRate = server?.learningRate ?? (update.kind === 'local' ? learningRateAt(update.schedule, start.framesSeen) : 0);
      const mailboxes = Array.from({ length: remote ? options.threads : 0 }, () => mailboxFor(parameters.length));
      const pushes = new Array<number>(options.threads).fill(0);
      const inFlight = new Array<Promise<void>>(options.threads).fill(Promise.resolve());
      let pushFailure: unknown = null;
      let lastReport = { at: 0, frames: start.framesSeen };
      const position = (): Position => ({
        framesSeen: clock.frames,
        updates,
        epoch: Math.min(...epochs),
        elapsed: elapsed(),
        learningRate: lastLearningRate,
      });
      const snapshot = async (): Promise<Checkpoint> => {
        // The shared model lives on the shards; this process's copy may be a few pushes old.
        if (remote) await remote.server.pull(parameters);
        const { framesSeen, epoch } = position();
        return { config, parameters: parameters.slice(), cmvn: stats, training: { framesSeen, updates, epoch }, delay: options.delay };
      };
      const evaluateDev = async (checkpoint: Checkpoint): Promise<Score> => {
        if (options.devUtterances === 0) return NO_SCORE;
        evaluated.parameters.set(checkpoint.parameters);
        return evaluate(options.corpus, evaluated, {
          split: 'dev',
          normalisation: cmvn,
          chunking: options.chunking,
          delay: options.delay,
          limit: options.devUtterances,
        });
      };

      const finished = new Promise<void>((resolve, reject) => {
        let running = options.threads;
        for (let index = 0; index < options.threads; index++) {
          const setup: TrainingThreadSetup = {
            corpus: options.corpus,
            config,
            parameters: shared,
            clock: clockBuffer,
            stop: stopBuffer,
            update: remote ? { kind: 'remote', mailbox: mailboxes[index], pushEvery: remote.pushEvery } : { kind: 'local', schedule: (update as { schedule: Schedule }).schedule },
            chunking: options.chunking,
            delay: options.delay,
            shard: { index: (options.part?.index ?? 0) * options.threads + index, count: (options.part?.count ?? 1) * options.threads },
            firstEpoch: start.epoch,
            epochs: options.epochs,
            maxFrames: options.maxFrames,
            seed: options.seed,
            shuffleBuffer: options.shuffleBuffer,
            cmvn,
            strict: options.strict,
            reportEvery: options.reportEvery,
          };
          const thread = startThread('training-thread', import.meta.url, setup);
          threads.push(thread);
          thread.on('message', (message: TrainingThreadMessage) => {
            switch (message.type) {
              case 'progress': {
                updates += message.updates;
                lastLearningRate = message.learningRate;
                const score = { loss: message.loss, frames: message.frames, correct: message.correct };
                recent = addScores(recent, score);
                sinceEvaluation = addScores(sinceEvaluation, score);
                const now = elapsed();
                if (now - lastReport.at >= options.reportEvery / 1000) {
                  const framesPerSecond = (clock.frames - lastReport.frames) / Math.max(now - lastReport.at, 1e-9);
                  subscriber.next({ type: 'progress', framesPerSecond, recent, ...position() });
                  lastReport = { at: now, frames: clock.frames };
                  recent = NO_SCORE;
                }
                break;
              }
              case 'push': {
                // A fetching push wakes its thread once the fresh values are in the parameters. Any other
                // push is encoded (the mailbox copied into its messages) as soon as it starts, so the thread
                // goes on training while it travels; its next push waits until this one is through.
                const fetch = ++pushes[index] % remote!.fetchEvery === 0;
                const mailbox = mailboxes[index];
                inFlight[index] = inFlight[index].then(() => {
                  const pushing = remote!.server.push(new Float32Array(mailbox.gradient), message.frames, fetch ? parameters : null);
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
              case 'epoch':
                epochs[index] = message.epoch;
                break;
              case 'skipped':
                skipped++;
                subscriber.next({ type: 'skipped', id: message.id, reason: message.reason, total: skipped });
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

      // Evaluate on dev each time another evalEvery frames have gone by, while the threads train.
      let nextEvaluation = start.framesSeen + options.evalEvery;
      let evaluating = Promise.resolve();
      let lastEvaluation: { readonly checkpoint: Checkpoint; readonly dev: Score } | null = null;
      const watch = setInterval(() => {
        if (clock.frames < nextEvaluation) return;
        nextEvaluation = clock.frames + options.evalEvery;
        evaluating = evaluating.then(async () => {
          const checkpoint = await snapshot();
          const dev = await evaluateDev(checkpoint);
          if (stopped) return;
          subscriber.next({ type: 'evaluation', dev, train: sinceEvaluation, checkpoint, ...position() });
          sinceEvaluation = NO_SCORE;
          lastEvaluation = { checkpoint, dev };
        });
      }, 100);
      try {
        await finished;
        await Promise.all(inFlight);
        // A thread's last push may fail after the thread is done.
        if (pushFailure !== null) throw pushFailure;
      } finally {
        clearInterval(watch);
        stopping?.unsubscribe();
      }
      await evaluating;
      const checkpoint = await snapshot();
      // The last interval evaluation may already have scored these very weights.
      const final = lastEvaluation as { checkpoint: Checkpoint; dev: Score } | null;
      if (final && JSON.stringify(final.checkpoint.training) === JSON.stringify(checkpoint.training)) {
        subscriber.next({ type: 'done', dev: final.dev, checkpoint: final.checkpoint, skipped, ...position() });
        return;
      }
      const dev = await evaluateDev(checkpoint);
      subscriber.next({ type: 'evaluation', dev, train: sinceEvaluation, checkpoint, ...position() });
      subscriber.next({ type: 'done', dev, checkpoint, skipped, ...position() });
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
