import { InvalidArgumentError, Option, type Command } from 'commander';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fromEvent, lastValueFrom, merge, NEVER, take, tap, type Observable } from 'rxjs';
import { fail, orFail } from '../errors.js';
import { decodeModelConfig, describeNetwork, type ModelConfig } from '../model/config.js';
import { priorsOf } from '../model/decoding-model.js';
import { parameterCounts } from '../model/layout.js';
import { decodeSchedule } from '../model/schedule.js';
import { KERNEL_NAMES, type KernelName } from '../ops/kernel-choice.js';
import { loadCheckpoint, saveCheckpoint } from '../streams/checkpoint-file.js';
import { corpusStates, splitFrames } from '../streams/corpus.js';
import { decodingModel } from '../streams/decoding-model.js';
import { readBytes, writeAtomic } from '../streams/files.js';
import { frameAccuracy } from '../streams/score.js';
import { appendMetrics } from '../streams/metrics.js';
import { train, type TrainEvent } from '../streams/train.js';
import { integerOption, numberOption } from './options.js';
import { progress } from './progress.js';

export interface TrainCommandOptions {
  corpus: string;
  out: string;
  config?: string;
  cells: number;
  projection: number;
  layers: number;
  threads: number;
  epochs?: number;
  frames?: number;
  lr: number;
  lrDecay: number;
  decayFrames: number;
  biasRate: number;
  gradientClip?: number;
  momentum: number;
  kernels: KernelName;
  initRange: number;
  streams: number;
  steps: number;
  delay: number;
  seed: number;
  evalEvery: number;
  devUtterances: number;
  strict?: boolean;
  resume?: string;
  quiet?: boolean;
}

/** The network to train: from --resume, --config, or the shape options; inputs and outputs follow the corpus. */
function modelConfig(options: TrainCommandOptions, outputs: number): ModelConfig {
  const fromFile = options.config ? parseJson(options.config) : {};
  const shape = { cells: options.cells, projection: options.projection, layers: options.layers };
  return orFail(decodeModelConfig({ inputs: 40, outputs, ...(options.config ? {} : shape), ...fromFile }), options.config ?? 'options');
}

function parseJson(path: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(readBytes(path)));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(`${path}: expected a JSON object`);
    return value as Record<string, unknown>;
  } catch (error) {
    if (error instanceof SyntaxError) fail(`${path}: not JSON (${error.message})`);
    throw error;
  }
}

/**
 * `lstmp train`: multi-threaded ASGD on a corpus, with dev evaluation,
 * metrics, checkpoints and progress, ending early (with a last evaluation
 * and checkpoint) on Ctrl-C or when `until` emits. Returns the final event
 * for callers (the main job) that go on from it.
 */
export async function runTrain(options: TrainCommandOptions, until?: Observable<unknown>): Promise<Extract<TrainEvent, { type: 'done' }>> {
  const inventory = corpusStates(options.corpus);
  const resume = options.resume ? loadCheckpoint(options.resume) : undefined;
  const config = resume?.config ?? modelConfig(options, inventory.length);
  if (config.outputs !== inventory.length) fail(`${options.resume ?? options.config}: the network has ${config.outputs} outputs, the corpus ${inventory.length} states`);
  // What `lstmp decode` needs, in every checkpoint; a corpus without lexicon.txt (a Kaldi import) has none.
  const decoding = existsSync(join(options.corpus, 'lexicon.txt')) ? await decodingModel(options.corpus) : undefined;
  const schedule = orFail(
    decodeSchedule({
      learningRate: options.lr,
      decay: options.lrDecay,
      decayFrames: options.decayFrames,
      biasRateFactor: options.biasRate,
      gradientClip: options.gradientClip ?? Infinity,
      momentum: options.momentum,
    }),
  );
  if (options.epochs === undefined && options.frames === undefined) options.epochs = 1;
  mkdirSync(options.out, { recursive: true });
  const modelPath = join(options.out, 'model.msgpack');
  const metricsPath = join(options.out, 'metrics.jsonl');
  writeAtomic(metricsPath, '');

  const counts = parameterCounts(config);
  // The bar's end: the frame budget, or every training frame once per epoch.
  const total = options.frames ?? (options.epochs ?? 1) * (await splitFrames(options.corpus, 'train'));
  const bar = progress({
    label: 'train',
    total,
    unit: 'frames',
    fields: ['epoch', 'loss', 'acc', 'dev', 'lr', 'fps'],
    quiet: options.quiet,
  });
  bar.log(`training a ${describeNetwork(config)}, ${counts.total.toLocaleString('en-US')} parameters, on ${options.threads} thread(s)`);
  let devAccuracy = '';
  const done = await lastValueFrom(
    train({
      corpus: options.corpus,
      config,
      schedule,
      threads: options.threads,
      epochs: options.epochs ?? Infinity,
      maxFrames: options.frames ?? Infinity,
      chunking: { streams: options.streams, steps: options.steps },
      delay: resume?.delay ?? options.delay,
      seed: options.seed,
      shuffleBuffer: 2000,
      evalEvery: options.evalEvery,
      devUtterances: options.devUtterances,
      cmvnUtterances: 500,
      strict: options.strict ?? false,
      resume,
      kernels: options.kernels,
      initRange: options.initRange,
      reportEvery: 500,
      until: merge(fromEvent(process, 'SIGINT').pipe(take(1), tap(() => bar.log('stopping: finishing the current chunks, then a last evaluation and checkpoint'))), until ?? NEVER),
    }).pipe(
      tap((event) => {
        appendMetrics(metricsPath, event);
        switch (event.type) {
          case 'progress':
            bar.update(event.framesSeen, {
              epoch: event.epoch,
              loss: (event.recent.loss / Math.max(event.recent.frames, 1)).toFixed(3),
              acc: `${(100 * frameAccuracy(event.recent)).toFixed(1)}%`,
              dev: devAccuracy,
              lr: event.learningRate.toExponential(2),
              fps: Math.round(event.framesPerSecond),
            });
            break;
          case 'skipped':
            bar.log(`skipped ${event.id}: ${event.reason}`);
            break;
          case 'evaluation':
            devAccuracy = `${(100 * frameAccuracy(event.dev)).toFixed(1)}%`;
            saveCheckpoint(modelPath, { ...event.checkpoint, states: inventory, ...(decoding && { priors: priorsOf(decoding), decoding }) });
            bar.log(`frames ${event.framesSeen}: dev frame accuracy ${devAccuracy}, loss ${(event.dev.loss / Math.max(event.dev.frames, 1)).toFixed(3)} (${event.elapsed.toFixed(0)} s)`);
            break;
          case 'done':
            break;
        }
      }),
    ),
  ).finally(() => bar.stop());
  if (done.type !== 'done') throw new Error('training ended without a result');
  return done;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train an LSTM/LSTMP acoustic model with multi-threaded asynchronous SGD (Hogwild)')
    .requiredOption('--corpus <DIR>', 'corpus directory (lstmp synth or lstmp import-kaldi)')
    .requiredOption('--out <RUNDIR>', 'run directory: model.msgpack, metrics.jsonl')
    .option('--config <cfg.json>', 'network config (cells, projection, layers, cellClip, peepholes)')
    .option('--cells <C>', 'memory cells per layer', integerOption(1), 256)
    .option('--projection <P>', 'recurrent projection units (0 = plain LSTM)', integerOption(0), 128)
    .option('--layers <L>', 'LSTM layers', integerOption(1), 2)
    .option('--threads <N>', 'training threads sharing the parameters', integerOption(1), 2)
    .option('--epochs <E>', 'passes over the training data', integerOption(1))
    .option('--frames <F>', 'stop after this many training frames', integerOption(1))
    .option('--lr <rate>', 'learning rate per frame (gradients are summed over frames)', positive, 1e-3)
    .option('--lr-decay <factor>', 'multiply the rate by this every --decay-frames frames', positive, 0.5)
    .option('--decay-frames <F>', 'frames per decay step', integerOption(1), 2_000_000)
    .option('--bias-rate <factor>', 'learning-rate factor for biases and peepholes', positive, 0.1)
    .option('--gradient-clip <x>', 'clip each gradient element to ±x', positive)
    .addOption(new Option('--kernels <name>', 'the kernels products run on').choices(KERNEL_NAMES).default('wasm'))
    .option('--init-range <r>', 'initial weights uniform in (-r, r) (the paper: 0.02)', positive, 0.02)
    .option('--momentum <m>', 'momentum, each thread its own (0: plain SGD as in the paper)', numberOption, 0)
    .option('--streams <B>', 'utterances processed side by side per thread', integerOption(1), 4)
    .option('--steps <T>', 'truncated BPTT steps per chunk', integerOption(1), 20)
    .option('--delay <D>', 'output label delay in frames', integerOption(0), 5)
    .option('--seed <S>', 'initialisation and shuffling seed', integerOption(0), 1)
    .option('--eval-every <F>', 'frames between dev evaluations and checkpoints', integerOption(1), 200_000)
    .option('--dev-utterances <N>', 'dev utterances scored at each evaluation', integerOption(1), 300)
    .option('--strict', 'stop at the first bad utterance instead of skipping it')
    .option('--resume <ck.msgpack>', 'continue from a checkpoint and its schedule position')
    .option('--quiet', 'no progress output')
    .option('--json', 'no progress; print one JSON line {"devFrameAccuracy", "devLoss", "frames", "seconds", "skipped", "checkpoint"}')
    .action(async (options: TrainCommandOptions & { json?: boolean }) => {
      const done = await runTrain({ ...options, quiet: options.quiet || options.json });
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

function positive(value: string): number {
  const n = numberOption(value);
  if (!(n > 0)) throw new InvalidArgumentError(`expected a number > 0, got "${value}"`);
  return n;
}
