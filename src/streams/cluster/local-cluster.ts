import * as E from 'fp-ts/lib/Either.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Observable } from 'rxjs';
import { InputError } from '../../errors.js';
import { makeDirectory } from '../io/files.js';
import { layoutOf } from '../../model/network/layout.js';
import { networkOf } from '../../model/network/network.js';
import { ShardLineCodec } from '../../model/cluster/shard-line.js';
import { WorkerLineCodec } from '../../model/cluster/worker-line.js';
import { cmvnTransform } from '../../ops/dsp/cmvn.js';
import type { ChunkOptions } from '../pipeline/chunk.js';
import { corpusCmvn, devEvaluator } from '../training/evaluate.js';
import { connectShards, type ParameterServerClient } from './parameter-client.js';
import { PARENT_VARIABLE } from './parent.js';
import { SECRET_VARIABLE } from './secret.js';
import { TRAINING_DEFAULTS } from '../training/train.js';
import { trainingEvents, type Position, type TrainEvent } from '../training/training-events.js';
import { decodeJson } from '../../model/codec.js';
import { portableKernels } from '../../ops/kernels/portable/portable-kernels.js';
import { kernelsNamed, type KernelName } from '../../ops/kernels/choice.js';

export interface ClusterOptions {
  /** the lstmp CLI script the processes run (dist/cli/main.js) */
  readonly cli: string;
  readonly corpus: string;
  /** the run directory: shard states in shards/, process logs in logs/ */
  readonly out: string;
  /** the checkpoint the shards start from */
  readonly init: string;
  readonly shards: number;
  readonly workers: number;
  /** arguments every `lstmp ps` gets besides its shard, address and state (the schedule) */
  readonly shardArguments: readonly string[];
  /** arguments every `lstmp worker` gets besides the shards, its part and the corpus (threads, chunking, frames, …) */
  readonly workerArguments: readonly string[];
  readonly secret: string;
  /** frames between evaluations of the shared model on dev (each also gives a checkpoint) */
  readonly evalEvery: number;
  readonly devUtterances: number;
  readonly chunking: ChunkOptions;
  readonly delay: number;
  /** the kernels the cluster's own evaluations run on (default: portable) */
  readonly kernels?: KernelName;
  /** how often (ms) progress is reported (default: as train's) */
  readonly reportEvery?: number;
  /** a shard that dies is restarted from its saved state, at most this many times in all */
  readonly restarts: number;
  /** when this emits, the workers finish their chunks and the run ends as if done */
  readonly until?: Observable<unknown>;
}

/** The processes of a cluster coming and going. */
export interface ProcessEvent {
  readonly type: 'process';
  readonly role: 'shard' | 'worker';
  readonly index: number;
  readonly pid: number;
  readonly what: 'started' | 'restarted' | 'exited' | 'save-failed';
  readonly code?: number | null;
  /** the signal that ended it, for `exited` */
  readonly signal?: NodeJS.Signals | null;
  /** what went wrong, for `save-failed`: a shard could not save its state and serves on, trying again */
  readonly message?: string;
}

/** What a worker pushed over its run, as it said when done: the gradient bytes, the pushes, its own frames. */
export interface TrafficEvent {
  readonly type: 'traffic';
  readonly worker: number;
  readonly bytes: number;
  readonly pushes: number;
  readonly frames: number;
}

export type ClusterEvent = TrainEvent | ProcessEvent | TrafficEvent;

/** How long a process asked to stop may take before it is killed: a worker's last chunk and push, a shard's last save. */
const STOP_GRACE_MS = 30_000;

/** A child process whose stdout is JSON lines, its stderr kept in a log file and its last line remembered. */
interface Child {
  readonly process: ChildProcess;
  lastError: string;
  stopping: boolean;
}

/**
 * Distributed ASGD on this machine, as on many: `shards` parameter-server
 * processes (`lstmp ps`) and `workers` worker processes (`lstmp worker`),
 * talking gRPC over loopback exactly as they would across hosts. Their event
 * lines merge into one training stream (the shape `train` gives), the shared
 * model is pulled from the shards and evaluated on dev at intervals and at the
 * end, a shard that dies is restarted from its saved state, and every process
 * is stopped when the run ends, fails, or is unsubscribed.
 *
 * @example
 * cluster(options).pipe(tap(draw)).subscribe()
 */
export function cluster(options: ClusterOptions): Observable<ClusterEvent> {
  return new Observable<ClusterEvent>((subscriber) => {
    const children = new Set<Child>();
    const isShard = new Set<Child>();
    let server: ParameterServerClient | null = null;
    let finished = false;
    // This process ends without stopping its children (an uncaught error): the shards are asked to
    // save and stop, the workers, which hold nothing the shards lack, are killed.
    const killAll = () => {
      for (const child of children) child.process.kill(isShard.has(child) ? 'SIGTERM' : 'SIGKILL');
    };
    process.once('exit', killAll);

    const logs = join(options.out, 'logs');
    makeDirectory(logs);
    // Killed with SIGKILL, this process cannot stop its children: they stop when they see it gone.
    const env = { ...process.env, [SECRET_VARIABLE]: options.secret, [PARENT_VARIABLE]: String(process.pid) };
    const begun = performance.now();
    const elapsed = () => (performance.now() - begun) / 1000;

    const start = (role: 'shard' | 'worker', index: number, args: readonly string[], line: (text: string) => void): Child => {
      // Its own process group: a Ctrl-C at the terminal reaches the cluster only, which stops the others in order.
      const child: Child = { process: spawn(process.execPath, [options.cli, role === 'shard' ? 'ps' : 'worker', ...args, '--jsonl'], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] }), lastError: '', stopping: false };
      children.add(child);
      const log = createWriteStream(join(logs, `${role}-${index}.log`), { flags: 'a' });
      // A log that cannot be written (a full disk) must not stop the run: the last line is still kept for its messages.
      log.on('error', () => {});
      createInterface({ input: child.process.stdout! }).on('line', line);
      createInterface({ input: child.process.stderr! }).on('line', (text) => {
        log.write(`${text}\n`);
        if (text.trim() !== '') child.lastError = text;
      });
      child.process.on('exit', () => {
        children.delete(child);
        log.end();
      });
      return child;
    };
    // Asked to stop, a worker finishes its chunk and a shard saves its state; one that has not exited
    // after the grace period (a worker retrying a push to a shard that is gone) is killed.
    const stopChildren = (which: (child: Child) => boolean) =>
      Promise.all(
        [...children].filter(which).map(
          (child) =>
            new Promise<void>((resolve) => {
              child.stopping = true;
              const kill = setTimeout(() => child.process.kill('SIGKILL'), STOP_GRACE_MS);
              child.process.once('exit', () => {
                clearTimeout(kill);
                resolve();
              });
              child.process.kill('SIGTERM');
            }),
        ),
      );

    const run = async () => {
      // Shards first: each says where it listens, and a shard that dies comes back
      // on the same address from its saved state while the workers retry.
      const listening: (string | null)[] = new Array<string | null>(options.shards).fill(null);
      let restarts = 0;
      let failRun: (error: Error) => void = () => {};
      const runFailed = new Promise<never>((_, reject) => (failRun = reject));
      runFailed.catch(() => {});
      const launchShard = (index: number, what: 'started' | 'restarted') =>
        new Promise<string>((resolve) => {
          const listen = listening[index] ?? '127.0.0.1:0';
          const args = ['--shard', `${index}/${options.shards}`, '--listen', listen, '--state', join(options.out, 'shards'), '--init', options.init, ...options.shardArguments];
          const child = start('shard', index, args, (text) => {
            const line = decodeJson(ShardLineCodec, text);
            if (E.isRight(line) && line.right.type === 'listening') resolve((listening[index] = line.right.address));
            if (E.isRight(line) && line.right.type === 'save-failed') subscriber.next({ type: 'process', role: 'shard', index, pid: child.process.pid ?? -1, what: 'save-failed', message: line.right.message });
          });
          isShard.add(child);
          subscriber.next({ type: 'process', role: 'shard', index, pid: child.process.pid ?? -1, what });
          child.process.on('exit', (code, signal) => {
            subscriber.next({ type: 'process', role: 'shard', index, pid: child.process.pid ?? -1, what: 'exited', code, signal });
            if (child.stopping || finished) return;
            const why = child.lastError || `exit code ${code}`;
            if (listening[index] === null) return failRun(new InputError(`shard ${index} did not start: ${why}`));
            if (++restarts > options.restarts) return failRun(new InputError(`shard ${index} died (${why}) and the ${options.restarts} restarts are used up`));
            void launchShard(index, 'restarted');
          });
        });
      const addresses = await Promise.race([Promise.all(Array.from({ length: options.shards }, (_, index) => launchShard(index, 'started'))), runFailed]);

      server = await connectShards(addresses, { secret: options.secret, deadlineMs: 60_000, retryForMs: 300_000 });
      const model = server;
      const stats = await corpusCmvn(options.corpus, 'train', TRAINING_DEFAULTS.cmvnUtterances, model.config.inputs);
      const network = networkOf(model.config, portableKernels.alloc(layoutOf(model.config).size), portableKernels);
      // Evaluations run while the workers train, on the kernels they use.
      const evaluationKernels = kernelsNamed(options.kernels ?? 'portable');

      // Workers: their progress lines sum into the cluster's. Each line carries its worker's running
      // count of updates; the cluster's is the sum of the latest ones.
      const epochs = new Array<number>(options.workers).fill(0);
      const updates = new Array<number>(options.workers).fill(0);
      // A resumed run goes on from where its shards stand.
      const firstFrame = Math.max(...model.shards.map((shard) => shard.framesSeen));
      let framesSeen = firstFrame;
      let learningRate = 0;
      const position = (): Position => ({
        framesSeen,
        updates: updates.reduce((sum, n) => sum + n, 0),
        epoch: Math.min(...epochs),
        elapsed: elapsed(),
        learningRate,
      });
      const events = trainingEvents(subscriber, {
        evalEvery: options.evalEvery,
        firstFrame,
        reportEvery: options.reportEvery ?? TRAINING_DEFAULTS.reportEvery,
        position,
        snapshot: async () => {
          const pulled = await model.pull(network.parameters);
          return { config: model.config, parameters: network.parameters.slice(), cmvn: stats, training: { framesSeen: pulled.framesSeen, updates: pulled.updates, epoch: Math.min(...epochs) }, delay: options.delay };
        },
        evaluate: devEvaluator(options.corpus, networkOf(model.config, evaluationKernels.alloc(network.parameters.length), evaluationKernels), {
          normalisation: cmvnTransform(stats),
          chunking: options.chunking,
          delay: options.delay,
          utterances: options.devUtterances,
        }),
        failed: (error) => failRun(error instanceof Error ? error : new Error(String(error))),
      });
      // A worker that dies ends the run at once (its part of the data would go untrained): the others
      // finish their chunks, and the shared model is evaluated and saved before the error.
      let lostWorker: Error | null = null;
      const workersDone = Promise.all(
        Array.from(
          { length: options.workers },
          (_, index) =>
            new Promise<void>((resolve, reject) => {
              const args = ['--ps', addresses.join(','), '--corpus', options.corpus, '--worker', `${index}/${options.workers}`, ...options.workerArguments];
              const child = start('worker', index, args, (text) => {
                const line = decodeJson(WorkerLineCodec, text);
                if (E.isLeft(line)) return;
                const event = line.right;
                if (event.type === 'skipped') {
                  events.skipped(event.id, event.reason);
                } else if (event.type === 'progress') {
                  framesSeen = Math.max(framesSeen, event.framesSeen);
                  updates[index] = event.updates;
                  learningRate = event.learningRate;
                  epochs[index] = event.epoch;
                  events.trained({ loss: event.loss, frames: event.frames, correct: event.correct });
                  events.due(framesSeen);
                } else if (event.pushedBytes !== undefined) {
                  subscriber.next({ type: 'traffic', worker: index, bytes: event.pushedBytes, pushes: event.pushes ?? 0, frames: event.trained ?? 0 });
                }
              });
              subscriber.next({ type: 'process', role: 'worker', index, pid: child.process.pid ?? -1, what: 'started' });
              child.process.on('exit', (code, signal) => {
                const pid = child.process.pid ?? -1;
                subscriber.next({ type: 'process', role: 'worker', index, pid, what: 'exited', code, signal });
                if (code === 0 || (child.stopping && finished)) return resolve();
                const how = signal ? `was killed by ${signal}` : `failed (exit code ${code})`;
                reject((lostWorker ??= new InputError(`worker ${index} (pid ${pid}) ${how}${child.lastError ? `: ${child.lastError.replace(/^lstmp: /, '')}` : ''}`)));
              });
            }),
        ),
      );
      const stopping = options.until?.subscribe(() => void stopChildren((child) => !isShard.has(child)));
      try {
        await Promise.race([workersDone, runFailed]);
      } catch (error) {
        const lost = lostWorker as Error | null;
        if (lost === null || error !== lost) throw error;
        await stopChildren((child) => !isShard.has(child));
        const saved = await events.finalEvaluation();
        throw new InputError(`${lost.message}; the other workers were stopped, and the shared model was evaluated and saved at ${saved.training?.framesSeen ?? 0} frames`);
      } finally {
        stopping?.unsubscribe();
      }
      await events.finish();
    };

    // Workers before shards: a worker still pushing when its shards are gone would retry until its --retry-for.
    const shutdown = async () => {
      finished = true;
      await stopChildren((child) => !isShard.has(child));
      server?.close();
      await stopChildren(() => true);
      process.removeListener('exit', killAll);
    };
    run().then(
      () => shutdown().then(() => subscriber.complete()),
      (error: unknown) => shutdown().then(() => subscriber.error(error)),
    );
    return () => {
      if (finished) return;
      finished = true;
      server?.close();
      for (const child of children) child.process.kill('SIGTERM');
      process.removeListener('exit', killAll);
    };
  });
}
