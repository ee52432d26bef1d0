import type { Command } from 'commander';
import { join } from 'node:path';
import { catchError, lastValueFrom, merge, NEVER, tap, type Observable } from 'rxjs';
import { DivergedError, fail, orFail } from '../errors.js';
import { decodeModelConfig, describeNetwork, type ModelConfig } from '../model/network/config.js';
import { parameterCounts } from '../model/network/layout.js';
import { loadCheckpoint } from '../streams/io/checkpoint-file.js';
import { corpusStates } from '../streams/corpora/corpus.js';
import { makeDirectory, readJsonObject, writeAtomic } from '../streams/io/files.js';
import { frameAccuracy } from '../streams/pipeline/score.js';
import { train, type TrainEvent } from '../streams/training/train.js';
import { integerOption } from './options.js';
import { kernelsFor } from './kernel-choice.js';
import { progress } from './progress.js';
import { stopRequests } from './stop.js';
import { followRun, TRAINING_FIELDS } from './training-view.js';
import { addTrainingOptions, decodingExtras, plannedFrames, refuseConflicts, scheduleFromOptions, withPreset, type GivenShape, type TrainingOptions, type Unresolved } from './training-options.js';

export interface TrainCommandOptions extends TrainingOptions {
  out: string;
  config?: string;
  evalEvery: number;
  devUtterances: number;
  resume?: string;
  quiet?: boolean;
}

/** The network to train: from --resume, --config, or the shape options; inputs and outputs follow the corpus. */
function modelConfig(options: TrainCommandOptions, outputs: number): ModelConfig {
  const fromFile = options.config ? readJsonObject(options.config) : {};
  const shape = { cells: options.cells, projection: options.projection, layers: options.layers };
  return orFail(decodeModelConfig({ inputs: 40, outputs, ...(options.config ? {} : shape), ...fromFile }), options.config ?? 'options');
}

/**
 * `lstmp train`: multi-threaded ASGD on a corpus, with dev evaluation,
 * metrics, checkpoints and progress, ending early (with a last evaluation
 * and checkpoint) on Ctrl-C or SIGTERM, or when `until` emits. Returns the final event
 * for callers (the main job) that go on from it.
 */
export async function runTrain(options: TrainCommandOptions, until?: Observable<unknown>, given: GivenShape = {}): Promise<Extract<TrainEvent, { type: 'done' }>> {
  const inventory = corpusStates(options.corpus);
  const resume = options.resume ? loadCheckpoint(options.resume) : undefined;
  if (resume && options.resume) refuseConflicts(given, resume.config, options.resume);
  const config = resume?.config ?? modelConfig(options, inventory.length);
  if (config.outputs !== inventory.length) fail(`${options.resume ?? options.config}: the network has ${config.outputs} outputs, the corpus ${inventory.length} states`);
  const extras = await decodingExtras(options.corpus);
  const schedule = scheduleFromOptions(options);
  if (options.epochs === undefined && options.frames === undefined) options.epochs = 1;
  makeDirectory(options.out);
  // A new run starts a new log; a resumed one goes on with the log it finds.
  if (!resume) writeAtomic(join(options.out, 'metrics.jsonl'), '');

  const counts = parameterCounts(config);
  const kernels = kernelsFor(options.kernels); // before the bar: its one line, if any, stays readable
  // The bar's end: the frame budget, or every training frame once per epoch.
  const total = await plannedFrames(options);
  const bar = progress({
    label: 'train',
    total,
    unit: 'frames',
    fields: TRAINING_FIELDS,
    quiet: options.quiet,
  });
  bar.log(`training a ${describeNetwork(config)}, ${counts.total.toLocaleString('en-US')} parameters, on ${options.threads} thread(s), ${kernels} kernels`);
  let kept: number | null = null;
  const done = await lastValueFrom(
    train({
      corpus: options.corpus,
      config,
      update: { kind: 'local', schedule },
      threads: options.threads,
      epochs: options.epochs ?? Infinity,
      maxFrames: options.frames ?? Infinity,
      chunking: { streams: options.streams, steps: options.steps },
      delay: resume?.delay ?? options.delay,
      seed: options.seed,
      evalEvery: options.evalEvery,
      devUtterances: options.devUtterances,
      strict: options.strict ?? false,
      resume,
      kernels,
      initRange: options.initRange,
      until: merge(stopRequests().pipe(tap(() => bar.log('stopping: finishing the current chunks, then a last evaluation and checkpoint'))), until ?? NEVER),
    }).pipe(
      tap(followRun(bar, options.out, extras)),
      tap((event) => {
        if (event.type === 'evaluation') kept = event.checkpoint.training?.framesSeen ?? 0;
      }),
      catchError((error: unknown) => {
        if (!(error instanceof DivergedError)) throw error;
        // What is kept: this run's last checkpoint, or the one it resumed from, or nothing yet.
        const model = join(options.out, 'model.msgpack');
        const keeping =
          kept !== null
            ? `the last good checkpoint, at ${kept} frames, is kept in ${model}`
            : options.resume
              ? `no checkpoint was written in this run: ${options.resume} is as it was`
              : `no checkpoint was written yet (the first comes after --eval-every ${options.evalEvery} frames)`;
        throw new DivergedError(`${error.message}; ${keeping}`);
      }),
    ),
  ).finally(() => bar.stop());
  if (done.type !== 'done') throw new Error('training ended without a result');
  return done;
}

export function registerTrain(program: Command): void {
  const command = program.command('train').description('train an LSTM/LSTMP acoustic model with multi-threaded asynchronous SGD (Hogwild)');
  addTrainingOptions(command)
    .requiredOption('--out <RUNDIR>', 'run directory: model.msgpack, metrics.jsonl')
    .option('--config <cfg.json>', 'network config (cells, projection, layers, cellClip, peepholes)')
    .option('--eval-every <F>', 'frames between dev evaluations and checkpoints', integerOption(1), 200_000)
    .option('--dev-utterances <N>', 'dev utterances scored at each evaluation', integerOption(1), 300)
    .option('--resume <ck.msgpack>', 'continue from a checkpoint and its schedule position')
    .option('--quiet', 'no progress output')
    .option('--json', 'no progress; print one JSON line {"devFrameAccuracy", "devLoss", "frames", "seconds", "skipped", "checkpoint"}')
    .action(async (options: Unresolved<TrainCommandOptions> & { json?: boolean }) => {
      const { cells, projection, layers, config } = options;
      const done = await runTrain(withPreset({ ...options, quiet: options.quiet || options.json }), undefined, { cells, projection, layers, config });
      const checkpoint = join(options.out, 'model.msgpack');
      if (options.json) {
        const devLoss = done.dev.frames > 0 ? done.dev.loss / done.dev.frames : 0;
        const line = { devFrameAccuracy: frameAccuracy(done.dev), devLoss, frames: done.framesSeen, seconds: done.elapsed, skipped: done.skipped, checkpoint };
        process.stdout.write(`${JSON.stringify(line)}\n`);
        return;
      }
      process.stdout.write(
        `trained ${done.framesSeen} frames in ${done.elapsed.toFixed(0)} s: dev frame accuracy ${(100 * frameAccuracy(done.dev)).toFixed(2)}%${done.skipped ? `, ${done.skipped} utterances skipped` : ''}\n${checkpoint}\n`,
      );
    });
}
