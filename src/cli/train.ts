import type { Command } from 'commander';
import { join } from 'node:path';
import { catchError, filter, lastValueFrom, merge, NEVER, tap, type Observable } from 'rxjs';
import { DivergedError, fail, orFail } from '../errors.js';
import type { Checkpoint } from '../model/formats/checkpoint.js';
import { decodeModelConfig, describeNetwork, type ModelConfig } from '../model/network/config.js';
import { parameterCounts } from '../model/network/layout.js';
import { loadCheckpoint } from '../streams/io/checkpoint-file.js';
import { corpusStates } from '../streams/corpora/corpus.js';
import { makeDirectory, readJsonObject, writeAtomic } from '../streams/io/files.js';
import { frameAccuracy } from '../streams/pipeline/score.js';
import { flatStart, type FlatStartEvent } from '../streams/training/flat-start.js';
import { train, type TrainEvent, type TrainOptions } from '../streams/training/train.js';
import { integerOption } from './options.js';
import { kernelsFor } from './kernel-choice.js';
import { progress } from './progress.js';
import { stopRequests } from './stop.js';
import { followRun, TRAINING_FIELDS } from './training-view.js';
import { addSingleProcessOptions, addTrainingOptions, decodingExtras, plannedFrames, positiveOption, refuseConflicts, scheduleFromOptions, withPreset, type GivenShape, type TrainingOptions, type Unresolved } from './training-options.js';

export interface TrainCommandOptions extends TrainingOptions {
  out: string;
  config?: string;
  evalEvery: number;
  devUtterances: number;
  resume?: string;
  quiet?: boolean;
  flatStart?: boolean;
  realignEvery?: number;
  alignBeam: number;
}

/** A flat start's frames of training between realignments, without a time budget. */
const REALIGN_EVERY = 1_000_000;

/**
 * Within a time budget, when a flat start realigns: at each eighth of it, up
 * to three quarters. Early, because the longer the model trains on the
 * uniform spread the more of it the first realignment keeps (SynthDigits,
 * 1,500 utterances, 6 minutes: 74.5 % of frames in the synthesizer's phone
 * after a first realignment at an eighth, 66.9 % at a sixth); often, because
 * each round improves a little on the one before.
 */
const REALIGN_SHARES = [1, 2, 3, 4, 5, 6].map((k) => k / 8);

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
  if (options.flatStart && options.realignEvery !== undefined && options.evalEvery > options.realignEvery) {
    fail(`--eval-every ${options.evalEvery} is longer than --realign-every ${options.realignEvery}: a flat start realigns with the model of an evaluation`);
  }
  // A flat start's extras follow its alignments; otherwise they come from the corpus's alignments.
  let extras: Partial<Checkpoint> = options.flatStart ? { states: inventory } : await decodingExtras(options.corpus);
  const schedule = scheduleFromOptions(options);
  if (options.epochs === undefined && options.frames === undefined && options.minutes === undefined) options.epochs = 1;
  makeDirectory(options.out);
  // A new run starts a new log; a resumed one goes on with the log it finds.
  if (!resume) writeAtomic(join(options.out, 'metrics.jsonl'), '');

  const counts = parameterCounts(config);
  const kernels = kernelsFor(options.kernels); // before the bar: its one line, if any, stays readable
  // The bar's end: the time budget, the frame budget, or every training frame once per epoch.
  const budget = options.minutes !== undefined ? Math.round(60 * options.minutes) : undefined;
  const total = budget ?? (await plannedFrames(options));
  const bar = progress({
    label: 'train',
    total,
    unit: budget !== undefined ? 'seconds' : 'frames',
    fields: TRAINING_FIELDS,
    quiet: options.quiet,
  });
  bar.log(`training a ${describeNetwork(config)}, ${counts.total.toLocaleString('en-US')} parameters, on ${options.threads} thread(s), ${kernels} kernels`);
  const trainOptions: Omit<TrainOptions, 'alignments'> = {
      corpus: options.corpus,
      config,
      update: { kind: 'local', schedule },
      threads: options.threads,
      epochs: options.epochs ?? Infinity,
      maxFrames: options.frames ?? Infinity,
      ...(options.minutes !== undefined && { seconds: 60 * options.minutes }),
      ...(options.augment && { augmentation: options.augment }),
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
  };
  const follow = followRun(bar, options.out, () => extras, budget !== undefined ? (event) => Math.min(Math.round(event.elapsed), budget) : undefined);
  // Realignments: every --realign-every frames, or within a time budget at each eighth of it up to three quarters (REALIGN_SHARES).
  const realign = options.realignEvery === undefined && budget !== undefined ? { atSeconds: REALIGN_SHARES.map((share) => share * budget) } : { everyFrames: options.realignEvery ?? REALIGN_EVERY };
  const events: Observable<TrainEvent | FlatStartEvent> = options.flatStart
    ? flatStart(trainOptions, {
        dir: options.out,
        realign,
        // As many as train: on one thread beside them a realignment of a large corpus got a third of the
        // cores and outlasted a short budget (6,000 utterances, 6 minutes: it never finished).
        alignThreads: trainOptions.threads,
        alignBeam: options.alignBeam,
        extras: (now) => (extras = now),
      })
    : train(trainOptions);
  let saved: number | null = null;
  const done = await lastValueFrom(
    events.pipe(
      tap((event) => {
        if (event.type === 'uniform') {
          bar.log(`flat start: ${event.utterances} utterances aligned uniformly to their transcripts (${event.path})`);
          for (const { id, reason } of event.refused) bar.log(`not aligned ${id}: ${reason}`);
        } else if (event.type === 'realigned') {
          bar.log(`realigned ${event.aligned} utterances with the model of frame ${event.framesSeen} in ${event.seconds.toFixed(0)} s: ${(100 * event.unchanged).toFixed(1)}% of frames unchanged (${event.path})`);
          for (const { id, reason } of event.kept) bar.log(`kept the earlier alignment of ${id}: ${reason}`);
        } else {
          follow(event);
          if (event.type === 'evaluation') saved = event.checkpoint.training?.framesSeen ?? 0;
        }
      }),
      filter((event): event is TrainEvent => event.type !== 'uniform' && event.type !== 'realigned'),
      catchError((error: unknown) => {
        if (!(error instanceof DivergedError)) throw error;
        // What is kept: this run's checkpoints, or the one it resumed from, or nothing yet.
        const keeping =
          saved !== null
            ? `the last good checkpoint, at ${saved} frames, is kept in ${join(options.out, 'last.msgpack')} (the best on dev in model.msgpack)`
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
  addSingleProcessOptions(addTrainingOptions(command))
    .requiredOption('--out <RUNDIR>', 'run directory: model.msgpack (the best on dev), last.msgpack (the latest, to --resume), metrics.jsonl')
    .option('--config <cfg.json>', 'network config (cells, projection, layers, cellClip, peepholes)')
    .option('--eval-every <F>', 'frames between dev evaluations and checkpoints', integerOption(1), 200_000)
    .option('--dev-utterances <N>', 'dev utterances scored at each evaluation', integerOption(1), 300)
    .option('--resume <ck.msgpack>', 'continue from a checkpoint and its schedule position')
    .option('--flat-start', "no alignments needed: start from the transcripts' states spread uniformly over their frames, and realign with the model as it learns")
    .option('--realign-every <F>', `with --flat-start: frames of training between realignments (default: ${REALIGN_EVERY}; with --minutes, at each eighth of the time up to three quarters)`, integerOption(1))
    .option('--align-beam <B>', 'with --flat-start: the aligner\'s beam (log units)', positiveOption, 60)
    .option('--quiet', 'no progress output')
    .option('--json', 'no progress; print one JSON line {"devFrameAccuracy", "devLoss", "frames", "keptFrames", "seconds", "skipped", "checkpoint"} (dev figures of the kept model)')
    .action(async (options: Unresolved<TrainCommandOptions> & { json?: boolean }) => {
      const { cells, projection, layers, config } = options;
      const done = await runTrain(withPreset({ ...options, quiet: options.quiet || options.json }), undefined, { cells, projection, layers, config });
      const checkpoint = join(options.out, 'model.msgpack');
      if (options.json) {
        const devLoss = done.dev.frames > 0 ? done.dev.loss / done.dev.frames : 0;
        const line = { devFrameAccuracy: frameAccuracy(done.dev), devLoss, frames: done.framesSeen, keptFrames: done.bestFramesSeen, seconds: done.elapsed, skipped: done.skipped, checkpoint };
        process.stdout.write(`${JSON.stringify(line)}\n`);
        return;
      }
      process.stdout.write(
        `trained ${done.framesSeen} frames in ${done.elapsed.toFixed(0)} s; kept the model of frame ${done.bestFramesSeen}, the best on dev: frame accuracy ${(100 * frameAccuracy(done.dev)).toFixed(2)}%${done.skipped ? `; ${done.skipped} utterances skipped` : ''}\n${checkpoint}\n`,
      );
    });
}
