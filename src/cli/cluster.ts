import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { filter, lastValueFrom, tap } from 'rxjs';
import { fail, orFail } from '../errors.js';
import { decodeModelConfig, describeNetwork } from '../model/network/config.js';
import { compressionName } from '../model/cluster/compression.js';
import type { Compression } from '../ops/compression/compression.js';
import { initParameters } from '../model/network/init.js';
import { parameterCounts } from '../model/network/layout.js';
import { loadCheckpoint, saveCheckpoint } from '../streams/io/checkpoint-file.js';
import { cluster, type ClusterEvent } from '../streams/cluster/local-cluster.js';
import { quietGrpc } from '../streams/cluster/parameter-service.js';
import { corpusStates } from '../streams/corpora/corpus.js';
import { listDirectory, makeDirectory, writeAtomic } from '../streams/io/files.js';
import { writeRunSummary } from '../streams/io/run-dir.js';
import { frameAccuracy } from '../streams/pipeline/score.js';
import type { TrainEvent } from '../streams/training/train.js';
import { compressionOption, integerOption, combineOption, pushChoices, pushOption, threadsOption, type Combining, type Pushing } from './options.js';
import { kernelsFor } from './kernel-choice.js';
import { progress } from './progress.js';
import { stopRequests } from './stop.js';
import { addTrainingOptions, decodingExtras, plannedFrames, positiveOption, refuseConflicts, withPreset, type TrainingOptions, type Unresolved } from './training-options.js';
import { followRun, TRAINING_FIELDS } from './training-view.js';

interface ClusterCommandOptions extends TrainingOptions {
  shards: number;
  workers: number;
  out: string;
  push: Pushing;
  combine?: Combining;
  pushEvery: number;
  fetchEvery: number;
  compress?: Compression;
  maxStaleness?: number;
  evalEvery: number;
  devUtterances: number;
  restarts: number;
  saveEvery: number;
  resume?: boolean;
  jsonl?: boolean;
  json?: boolean;
  quiet?: boolean;
}

/**
 * Whether `out` holds an earlier run's shard states (shards/) that this run
 * continues: only with `resume`, and only a whole set of `shards` of them;
 * anything else is refused in one line rather than resumed, or restarted, in
 * silence.
 */
function savedShards(out: string, shards: number, resume: boolean): boolean {
  const dir = join(out, 'shards');
  const files = listDirectory(dir).filter((name) => /^shard-\d+-of-\d+\.msgpack$/.test(name));
  if (files.length === 0) {
    if (resume) fail(`${out}: no earlier run to resume (no saved shard state in ${dir})`);
    return false;
  }
  if (!resume) fail(`${out}: holds the saved shards of an earlier run (${dir}): give --resume to continue it, or another --out`);
  const expected = Array.from({ length: shards }, (_, i) => `shard-${i}-of-${shards}.msgpack`);
  if (files.length !== shards || !expected.every((name) => files.includes(name))) fail(`${dir}: holds ${files.sort().join(', ')}; --shards ${shards} cannot resume them`);
  return true;
}

/** Options as the command line of a child process: `--name value` for each given value. */
function argumentsOf(values: Record<string, string | number | boolean | undefined>): string[] {
  return Object.entries(values).flatMap(([name, value]) => (value === undefined || value === false ? [] : value === true ? [`--${name}`] : [`--${name}`, String(value)]));
}

/**
 * `lstmp cluster`: distributed ASGD on this machine: S parameter-server shard
 * processes and W worker processes of K threads each, talking gRPC over
 * loopback exactly as `lstmp ps` and `lstmp worker` do across hosts. One
 * progress view; the run directory gets metrics.jsonl and model.msgpack (the
 * shared model, evaluated on dev at intervals) like `lstmp train`'s, plus
 * the shards' state and every process's log. Ctrl-C ends the run cleanly.
 */
export function registerCluster(program: Command): void {
  const command = program.command('cluster').description('distributed ASGD on this machine: parameter-server shards and worker processes over gRPC');
  addTrainingOptions(command)
    .requiredOption('--out <RUNDIR>', 'run directory: model.msgpack (the best on dev), last.msgpack (the latest), metrics.jsonl, shards/, logs/')
    .option('--shards <S>', 'parameter-server shard processes', threadsOption, 2)
    .option('--workers <W>', 'worker processes (each with --threads threads)', threadsOption, 2)
    .addOption(pushOption())
    .addOption(combineOption())
    .option('--push-every <n>', 'chunks a worker thread trains between pushes (pushing deltas, at least that many: a push asked for while one travels goes with the next)', integerOption(1), 1)
    .option('--fetch-every <m>', 'pushes between fetches of fresh values from the shards (pushing gradients; every push of deltas fetches)', integerOption(1), 1)
    .option('--max-staleness <s>', 'bounded staleness: a push more than s pushes ahead of the slowest worker thread waits (0: synchronous; default: never waits)', integerOption(0))
    .option('--compress <how>', 'how workers compress what they push, with error feedback, and pushing deltas, how the shards compress their answers: none, bf16, 1bit or topk:F (the largest fraction F of the values) (default: bf16 pushing deltas, none pushing gradients)', compressionOption)
    .option('--eval-every <F>', 'frames between dev evaluations of the shared model and checkpoints', integerOption(1), 200_000)
    .option('--dev-utterances <N>', 'dev utterances scored at each evaluation', integerOption(1), 300)
    .option('--save-every <s>', 'seconds between the shards\' state saves', positiveOption, 30)
    .option('--restarts <N>', 'shards that die are restarted from their saved state, at most N times in all', integerOption(0), 3)
    .option('--resume', 'continue the run in --out: its network (init.msgpack), the shards\' saved state (shards/), metrics.jsonl appended to')
    .option('--jsonl', 'no progress bar; print metrics lines and process events as JSON lines')
    .option('--json', 'no progress; print one JSON line {"devFrameAccuracy", "devLoss", "frames", "seconds", "framesPerSecond", "shards", "workers", "threads", "restarts", "checkpoint"}')
    .option('--quiet', 'no progress output')
    .action(async (given: Unresolved<ClusterCommandOptions>) => {
      const options = withPreset(given);
      quietGrpc();
      const { combine, compress } = pushChoices(options);
      const states = corpusStates(options.corpus);
      const init = join(options.out, 'init.msgpack');
      // The shards resume whatever state they find in shards/: a run there is continued only when asked.
      const saved = savedShards(options.out, options.shards, options.resume ?? false);
      const config = options.resume
        ? loadCheckpoint(init).config
        : orFail(decodeModelConfig({ inputs: 40, outputs: states.length, cells: options.cells, projection: options.projection, layers: options.layers }), 'options');
      if (options.resume) refuseConflicts({ cells: given.cells, projection: given.projection, layers: given.layers }, config, init);
      if (config.outputs !== states.length) fail(`${init}: the network has ${config.outputs} outputs, the corpus ${states.length} states`);
      makeDirectory(options.out);
      if (!saved) writeAtomic(join(options.out, 'metrics.jsonl'), '');
      const extras = await decodingExtras(options.corpus);
      if (!saved) saveCheckpoint(init, { config, parameters: initParameters(config, options.seed, options.initRange), ...extras });
      if (options.epochs === undefined && options.frames === undefined) options.epochs = 1;

      const kernels = kernelsFor(options.kernels);
      const total = await plannedFrames(options);
      const bar = progress({ label: 'cluster', total, unit: 'frames', fields: TRAINING_FIELDS, quiet: options.quiet || options.json || options.jsonl });
      const workers = `${options.workers} worker(s) × ${options.threads} thread(s)`;
      bar.log(`training a ${describeNetwork(config)}, ${parameterCounts(config).total.toLocaleString('en-US')} parameters, on ${options.shards} shard(s) and ${workers}`);
      const keep = followRun(bar, options.out, extras);
      let restarts = 0;
      const pushed = { bytes: 0, frames: 0 };
      const stopping = stopRequests().pipe(tap(() => bar.log('stopping: the workers finish their chunks, then a last evaluation and checkpoint')));
      const events = cluster({
        cli: fileURLToPath(new URL('./main.js', import.meta.url)),
        corpus: options.corpus,
        out: options.out,
        init,
        shards: options.shards,
        workers: options.workers,
        shardArguments: argumentsOf({
          lr: options.lr,
          'lr-decay': options.lrDecay,
          'decay-frames': options.decayFrames,
          'bias-rate': options.biasRate,
          'gradient-clip': options.gradientClip,
          momentum: options.momentum,
          'save-every': options.saveEvery,
          'max-staleness': options.maxStaleness,
        }),
        workerArguments: argumentsOf({
          threads: options.threads,
          epochs: options.epochs,
          frames: options.frames,
          kernels, // resolved, so the workers do not each say why native is not there
          streams: options.streams,
          steps: options.steps,
          delay: options.delay,
          seed: options.seed,
          strict: options.strict,
          push: options.push,
          combine: options.push === 'deltas' ? combine : undefined,
          'push-every': options.pushEvery,
          'fetch-every': options.fetchEvery,
          compress: compressionName(compress),
        }),
        // Only the children's environment carries it: never a command line, never a file.
        secret: randomBytes(32).toString('hex'),
        evalEvery: options.evalEvery,
        devUtterances: options.devUtterances,
        kernels,
        chunking: { streams: options.streams, steps: options.steps },
        delay: options.delay,
        restarts: options.restarts,
        until: stopping,
      });
      const done = await lastValueFrom(
        events.pipe(
          tap((event: ClusterEvent) => {
            if (options.jsonl) process.stdout.write(`${JSON.stringify(event.type === 'evaluation' || event.type === 'done' ? { ...event, checkpoint: undefined } : event)}\n`);
            if (event.type === 'traffic') {
              pushed.bytes += event.bytes;
              pushed.frames += event.frames;
              return;
            }
            if (event.type !== 'process') return keep(event);
            if (event.what === 'restarted') restarts++;
            if (event.what === 'save-failed') return bar.log(`shard ${event.index} cannot save its state (${event.message}); it serves on and tries again`);
            if (event.role === 'shard' || event.what !== 'exited') bar.log(`${event.role} ${event.index} ${event.what}${event.what === 'exited' ? (event.signal ? ` (killed by ${event.signal})` : ` (code ${event.code})`) : ''}, pid ${event.pid}`);
          }),
          filter((event): event is Extract<TrainEvent, { type: 'done' }> => event.type === 'done'),
        ),
      ).finally(() => bar.stop());
      const checkpoint = join(options.out, 'model.msgpack');
      const framesPerSecond = done.framesSeen / Math.max(done.elapsed, 1e-9);
      const bytesPerFrame = pushed.frames > 0 ? pushed.bytes / pushed.frames : 0;
      const summary = { devFrameAccuracy: frameAccuracy(done.dev), frames: done.framesSeen, trainSeconds: done.elapsed, threads: options.threads, config, cluster: { shards: options.shards, workers: options.workers, restarts } };
      writeRunSummary(options.out, summary);
      if (options.json) {
        const devLoss = done.dev.frames > 0 ? done.dev.loss / done.dev.frames : 0;
        const line = { devFrameAccuracy: frameAccuracy(done.dev), devLoss, frames: done.framesSeen, seconds: done.elapsed, framesPerSecond, shards: options.shards, workers: options.workers, threads: options.threads, restarts, push: options.push, compress: compressionName(compress), pushedBytes: pushed.bytes, bytesPerFrame, checkpoint };
        process.stdout.write(`${JSON.stringify(line)}\n`);
      } else if (!options.quiet && !options.jsonl) {
        process.stdout.write(`trained ${done.framesSeen} frames in ${done.elapsed.toFixed(0)} s (${Math.round(framesPerSecond)} frames/s) on ${options.shards} shard(s) and ${workers}, pushing ${Math.round(bytesPerFrame).toLocaleString('en-US')} bytes a frame; kept the model of frame ${done.bestFramesSeen}, the best on dev: frame accuracy ${(100 * frameAccuracy(done.dev)).toFixed(2)}%\n${checkpoint}\n`);
      }
    });
}
