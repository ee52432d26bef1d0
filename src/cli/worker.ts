import { InvalidArgumentError, type Command } from 'commander';
import { catchError, lastValueFrom, tap } from 'rxjs';
import { DivergedError, fail } from '../errors.js';
import { describeNetwork } from '../model/network/config.js';
import type { WorkerLine } from '../model/cluster/worker-line.js';
import type { Compression } from '../ops/compression/compression.js';
import { saveCheckpoint } from '../streams/io/checkpoint-file.js';
import { corpusStates } from '../streams/corpora/corpus.js';
import { readBytes } from '../streams/io/files.js';
import { connectShards } from '../streams/cluster/parameter-client.js';
import { quietGrpc } from '../streams/cluster/parameter-service.js';
import { frameAccuracy } from '../streams/pipeline/score.js';
import { parentGone } from '../streams/cluster/parent.js';
import { readSecret, secretFileWarning } from '../streams/cluster/secret.js';
import { train } from '../streams/training/train.js';
import { compressionOption, integerOption, combineOption, pushChoices, pushOption, type Combining, type Pushing } from './options.js';
import { kernelsFor } from './kernel-choice.js';
import { progress } from './progress.js';
import { stopRequests } from './stop.js';
import { trainingFields, TRAINING_FIELDS } from './training-view.js';
import { addPipelineOptions, decodingExtras, plannedFrames, hostPortOption, partOption, positiveOption, type PipelineOptions } from './training-options.js';

interface WorkerCommandOptions extends PipelineOptions {
  ps: string[];
  worker: { index: number; count: number };
  push: Pushing;
  combine?: Combining;
  pushEvery: number;
  fetchEvery: number;
  out?: string;
  evalEvery?: number;
  devUtterances: number;
  secretFile?: string;
  tlsCa?: string;
  deadline: number;
  retryFor: number;
  compress?: Compression;
  jsonl?: boolean;
  json?: boolean;
  quiet?: boolean;
}

const addresses = (value: string) => {
  try {
    return value.split(',').map(hostPortOption);
  } catch {
    throw new InvalidArgumentError(`expected HOST:PORT,HOST:PORT,…, got "${value}"`);
  }
};

/**
 * `lstmp worker`: one machine of distributed ASGD. Its threads run the
 * training pipeline on this worker's part of the data and push their
 * gradients to the parameter-server shards, training on the values the
 * shards send back. Needs only the shards' addresses: the network comes from
 * them.
 */
export function registerWorker(program: Command): void {
  const command = program.command('worker').description('train as one worker of a sharded parameter server (distributed ASGD)');
  addPipelineOptions(command)
    .requiredOption('--ps <HOST:PORT,...>', 'every parameter-server shard, in any order', addresses)
    .option('--worker <i/W>', 'this worker is number i of W: it trains on that part of the data', partOption, { index: 0, count: 1 })
    .addOption(pushOption())
    .addOption(combineOption())
    .option('--push-every <n>', 'chunks a thread trains between pushes (pushing deltas, at least that many: a push asked for while one travels goes with the next)', integerOption(1), 1)
    .option('--fetch-every <m>', 'pushes between fetches of fresh values from the shards (pushing gradients; every push of deltas fetches)', integerOption(1), 1)
    .option('--compress <how>', 'how pushes compress what they send, with error feedback, and pushing deltas, how the shards compress their answers: none, bf16, 1bit or topk:F (the largest fraction F of the values) (default: bf16 pushing deltas, none pushing gradients)', compressionOption)
    .option('--out <ck.msgpack>', 'at the end, save the shared model pulled from every shard')
    .option('--eval-every <F>', 'frames between dev evaluations of the shared model (default: at the end only, with --dev-utterances)', integerOption(1))
    .option('--dev-utterances <N>', 'dev utterances scored at each evaluation (0: none)', integerOption(0), 0)
    .option('--secret-file <file>', 'file holding the shared secret (default: $LSTMP_SECRET)')
    .option('--tls-ca <ca.pem>', 'connect over TLS, trusting the shards certified by this CA')
    .option('--deadline <s>', 'seconds one call to a shard may take', positiveOption, 60)
    .option('--retry-for <s>', 'seconds to keep retrying while a shard is unreachable', positiveOption, 300)
    .option('--jsonl', 'no progress bar; print events as JSON lines (what lstmp cluster reads)')
    .option('--json', 'no progress; print one JSON line {"frames", "seconds", "skipped", "devFrameAccuracy", "pushedBytes", "bytesPerFrame", "checkpoint"} at the end')
    .option('--quiet', 'no progress output')
    .action(async (options: WorkerCommandOptions) => {
      // Started by a `lstmp cluster` that is gone (killed with SIGKILL): nothing is left to report to,
      // and the shards hold everything but the chunk under way.
      parentGone().subscribe(() => process.exit(1));
      quietGrpc();
      const secret = readSecret(options.secretFile);
      const exposed = options.secretFile ? secretFileWarning(options.secretFile) : null;
      if (exposed) process.stderr.write(`lstmp: warning: ${exposed}\n`);
      const { combine, compress } = pushChoices(options);
      const kernels = kernelsFor(options.kernels);
      const total = await plannedFrames(options, options.worker.count);
      const bar = progress({ label: `worker ${options.worker.index}/${options.worker.count}`, total, unit: 'frames', fields: TRAINING_FIELDS, quiet: options.quiet || options.json || options.jsonl });
      const server = await connectShards(options.ps, {
        secret,
        tlsRoots: options.tlsCa ? readBytes(options.tlsCa) : undefined,
        deadlineMs: options.deadline * 1000,
        retryForMs: options.retryFor * 1000,
        retrying: (address, reason) => bar.log(`shard ${address} unreachable (${reason}); retrying`),
        compression: compress,
      });
      const states = corpusStates(options.corpus);
      if (server.config.outputs !== states.length) fail(`${options.corpus}: the shards' network has ${server.config.outputs} outputs, the corpus ${states.length} states`);
      bar.log(`worker ${options.worker.index}/${options.worker.count} training a ${describeNetwork(server.config)} served by ${server.shards.length} shard(s), on ${options.threads} thread(s)`);
      const emit = (line: WorkerLine) => options.jsonl && process.stdout.write(`${JSON.stringify(line)}\n`);
      let trained = 0;
      let devAccuracy = '';
      const stopping = stopRequests().pipe(tap(() => bar.log('stopping: finishing the current chunks')));
      const done = await lastValueFrom(
        train({
          corpus: options.corpus,
          config: server.config,
          update: { kind: 'remote', server, push: options.push, combine, pushEvery: options.pushEvery, fetchEvery: options.fetchEvery },
          threads: options.threads,
          part: options.worker,
          epochs: options.epochs ?? (options.frames === undefined ? 1 : Infinity),
          maxFrames: options.frames ?? Infinity,
          chunking: { streams: options.streams, steps: options.steps },
          delay: options.delay,
          seed: options.seed,
          evalEvery: options.evalEvery ?? Infinity,
          devUtterances: options.devUtterances,
          strict: options.strict ?? false,
          kernels,
          initRange: 0,
          until: stopping,
        }).pipe(
          tap((event) => {
            switch (event.type) {
              case 'progress':
                trained += event.recent.frames;
                emit({ type: 'progress', framesSeen: event.framesSeen, ...event.recent, updates: event.updates, epoch: event.epoch, learningRate: event.learningRate, framesPerSecond: event.framesPerSecond });
                bar.update(trained, trainingFields(event, devAccuracy));
                break;
              case 'skipped':
                emit({ type: 'skipped', id: event.id, reason: event.reason });
                bar.log(`skipped ${event.id}: ${event.reason}`);
                break;
              case 'evaluation':
                if (event.dev.frames === 0) break;
                devAccuracy = `${(100 * frameAccuracy(event.dev)).toFixed(1)}%`;
                bar.log(`frames ${event.framesSeen}: dev frame accuracy of the shared model ${devAccuracy}`);
                break;
              case 'done':
                break;
            }
          }),
          catchError((error: unknown) => {
            // A thread checks every gradient before it is summed: nothing of a diverged one reaches the shards.
            if (error instanceof DivergedError) throw new DivergedError(`${error.message}; nothing of it was pushed: the shards keep the model as it was`);
            throw error;
          }),
        ),
      ).finally(async () => {
        bar.stop();
        // Under bounded staleness, the other workers' threads stop waiting on this one's.
        await server.leave();
        server.close();
      });
      if (done.type !== 'done') throw new Error('training ended without a result');
      // The shards' model as this worker left it, not the best this worker happened to score on dev.
      if (options.out) saveCheckpoint(options.out, { ...done.final.checkpoint, ...(await decodingExtras(options.corpus)) });
      const traffic = server.traffic();
      emit({ type: 'done', framesSeen: done.framesSeen, seconds: done.elapsed, skipped: done.skipped, pushedBytes: traffic.bytes, pushes: traffic.pushes, trained: traffic.frames });
      const devFrameAccuracy = done.final.dev.frames > 0 ? frameAccuracy(done.final.dev) : null;
      const bytesPerFrame = traffic.frames > 0 ? traffic.bytes / traffic.frames : 0;
      if (options.json) process.stdout.write(`${JSON.stringify({ frames: done.framesSeen, seconds: done.elapsed, skipped: done.skipped, devFrameAccuracy, pushedBytes: traffic.bytes, bytesPerFrame, checkpoint: options.out ?? null })}\n`);
      else if (!options.jsonl && !options.quiet) {
        process.stdout.write(`worker ${options.worker.index}/${options.worker.count} done: the cluster has trained ${done.framesSeen} frames${devFrameAccuracy === null ? '' : `, dev frame accuracy ${(100 * devFrameAccuracy).toFixed(2)}%`}${options.out ? `\n${options.out}` : ''}\n`);
      }
    });
}
