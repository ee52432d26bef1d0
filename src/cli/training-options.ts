import * as E from 'fp-ts/lib/Either.js';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fail, orFail } from '../errors.js';
import type { Checkpoint } from '../model/formats/checkpoint.js';
import { decodeModelConfig, describeNetwork, type ModelConfig } from '../model/network/config.js';
import { decodeSchedule, type Schedule } from '../model/network/schedule.js';
import { AUGMENTATIONS, parseAugmentations, type AugmentationPlan } from '../model/augmentation/plan.js';
import { PRESET_NAMES, TRAINING_PRESETS, type PresetName, type TrainingPreset } from '../model/network/presets.js';
import { KERNEL_CHOICES, type KernelChoice } from '../ops/kernels/choice.js';
import { corpusStates, splitFrames } from '../streams/corpora/corpus.js';
import { readJsonObject } from '../streams/io/files.js';
import { alignmentExtras } from '../streams/training/flat-start.js';
import { integerOption, numberOption, threadsOption } from './options.js';

/** Parses a number > 0 for a commander option. */
export function positiveOption(value: string): number {
  const n = numberOption(value);
  if (!(n > 0)) throw new InvalidArgumentError(`expected a number > 0, got "${value}"`);
  return n;
}

/** Parses `i/N` (part i of N, from 0) for a commander option. */
export function partOption(value: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  const [index, count] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  if (!(count >= 1 && index < count)) throw new InvalidArgumentError(`expected i/N with 0 ≤ i < N, got "${value}"`);
  return { index, count };
}

/** Parses HOST:PORT (a name, an IPv4 address or a bracketed IPv6 address) for a commander option. */
export function hostPortOption(value: string): string {
  const address = value.trim();
  if (!/^([^\s:]+|\[[^\]]+\]):\d+$/.test(address)) throw new InvalidArgumentError(`expected HOST:PORT, got "${value}"`);
  return address;
}

/** The shape of a network to train from scratch, shared by train and cluster (inputs and outputs follow the corpus). */
export interface NetworkOptions {
  cells: number;
  projection: number;
  layers: number;
  initRange: number;
}

/** The learning-rate schedule's options, shared by train, ps and cluster. */
export interface ScheduleOptions {
  lr: number;
  lrDecay: number;
  decayFrames: number;
  biasRate: number;
  gradientClip?: number;
  momentum: number;
  anneal?: number;
}

export interface PresetOptions {
  preset: PresetName;
}

/** What a preset gives each option that has no default of its own: the option's name and its value. */
const PRESET_OPTIONS = {
  cells: (p: TrainingPreset) => p.cells,
  projection: (p: TrainingPreset) => p.projection,
  layers: (p: TrainingPreset) => p.layers,
  initRange: (p: TrainingPreset) => p.initRange,
  lr: (p: TrainingPreset) => p.schedule.learningRate,
  lrDecay: (p: TrainingPreset) => p.schedule.decay,
  decayFrames: (p: TrainingPreset) => p.schedule.decayFrames,
  biasRate: (p: TrainingPreset) => p.schedule.biasRateFactor,
  momentum: (p: TrainingPreset) => p.schedule.momentum,
} as const;

type PresetOption = keyof typeof PRESET_OPTIONS;

/** "(default: 256; paper: 800)": what each preset gives an option, for its help line. */
function presetDefaults(option: PresetOption): string {
  const value = (name: PresetName) => PRESET_OPTIONS[option](TRAINING_PRESETS[name]);
  const others = PRESET_NAMES.filter((name) => name !== 'default' && value(name) !== value('default'));
  return `(${[`default: ${value('default')}`, ...others.map((name) => `--preset ${name}: ${value(name)}`)].join('; ')})`;
}

export function addPresetOption(command: Command): Command {
  return command.addOption(
    new Option('--preset <name>', 'defaults of the shape, initialisation and schedule options: "default" learns SynthDigits in minutes, "paper" is Sak et al. (2014)')
      .choices(PRESET_NAMES)
      .default('default'),
  );
}

/** The options a preset fills: each one the command line left out takes the preset's value. */
/** A command's options as parsed: the preset's options may be missing until `withPreset` fills them. */
export type Unresolved<O> = Omit<O, PresetOption> & Partial<Pick<O, PresetOption & keyof O>> & PresetOptions;

export function withPreset<O extends PresetOptions & Partial<Record<PresetOption, number>>>(options: O): O & Record<PresetOption, number> {
  const preset: TrainingPreset = TRAINING_PRESETS[options.preset];
  const filled = Object.fromEntries(Object.entries(PRESET_OPTIONS).map(([option, value]) => [option, options[option as PresetOption] ?? value(preset)]));
  return { ...options, ...filled } as O & Record<PresetOption, number>;
}

export function addNetworkOptions(command: Command): Command {
  return command
    .option('--cells <C>', `memory cells per layer ${presetDefaults('cells')}`, integerOption(1))
    .option('--projection <P>', `recurrent projection units, 0 = plain LSTM ${presetDefaults('projection')}`, integerOption(0))
    .option('--layers <L>', `LSTM layers ${presetDefaults('layers')}`, integerOption(1))
    .option('--init-range <r>', `initial weights uniform in (-r, r) ${presetDefaults('initRange')}`, positiveOption);
}

export function addScheduleOptions(command: Command): Command {
  return command
    .option('--lr <rate>', `learning rate per frame, gradients summed over frames ${presetDefaults('lr')}`, positiveOption)
    .option('--lr-decay <factor>', `multiply the rate by this every --decay-frames frames ${presetDefaults('lrDecay')}`, positiveOption)
    .option('--decay-frames <F>', `frames per decay step ${presetDefaults('decayFrames')}`, integerOption(1))
    .option('--bias-rate <factor>', `learning-rate factor for biases and peepholes ${presetDefaults('biasRate')}`, positiveOption)
    .option('--gradient-clip <x>', 'clip each gradient element to ±x', positiveOption)
    .option('--momentum <m>', `momentum, 0 = plain SGD ${presetDefaults('momentum')}`, numberOption);
}

export function scheduleFromOptions(options: ScheduleOptions): Schedule {
  return orFail(
    decodeSchedule({
      learningRate: options.lr,
      decay: options.lrDecay,
      decayFrames: options.decayFrames,
      biasRateFactor: options.biasRate,
      gradientClip: options.gradientClip ?? Infinity,
      momentum: options.momentum,
      ...(options.anneal !== undefined && { anneal: options.anneal }),
    }),
  );
}

/** The shape options given on the command line (a preset's are not): with --resume, each must agree with the network resumed. */
export interface GivenShape {
  cells?: number;
  projection?: number;
  layers?: number;
  /** a --config file */
  config?: string;
}

/** Refuses a shape option that the network being resumed (`config`, from `path`) contradicts: --resume continues that network. */
export function refuseConflicts(given: GivenShape, config: ModelConfig, path: string): void {
  const asked: Partial<ModelConfig> = given.config ? orFail(decodeModelConfig({ ...config, ...readJsonObject(given.config) }), given.config) : given;
  for (const name of ['cells', 'projection', 'layers', 'cellClip', 'peepholes'] as const) {
    const value = asked[name];
    if (value === undefined || value === config[name]) continue;
    const option = given.config ? `--config ${given.config} (${name} ${value})` : `--${name} ${value}`;
    fail(`${path}: holds a ${describeNetwork(config)}; ${option} conflicts with it (--resume continues the checkpoint's network: leave ${given.config ? '--config' : `--${name}`} out)`);
  }
}

/** Everything a command that trains a network from scratch takes: the pipeline, the schedule, the network's shape, the preset. */
export type TrainingOptions = PipelineOptions & ScheduleOptions & NetworkOptions;

/** The option groups of `train` and `cluster`, in the order `--help` lists them. */
export function addTrainingOptions(command: Command): Command {
  return addPresetOption(addNetworkOptions(addScheduleOptions(addPipelineOptions(command))));
}

/** How the training pipeline runs: threads, passes, chunking. Shared by train, worker and cluster. */
export interface PipelineOptions {
  corpus: string;
  threads: number;
  epochs?: number;
  frames?: number;
  kernels: KernelChoice;
  streams: number;
  steps: number;
  delay: number;
  seed: number;
  strict?: boolean;
  /** a time budget for training, minutes */
  minutes?: number;
  augment?: AugmentationPlan;
}

export function addPipelineOptions(command: Command): Command {
  return command
    .requiredOption('--corpus <DIR>', 'corpus directory (lstmp synth or lstmp import)')
    .option('--threads <N>', 'training threads sharing the parameters', threadsOption, 2)
    .option('--epochs <E>', 'passes over the training data', integerOption(1))
    .option('--frames <F>', 'stop after this many training frames', integerOption(1))
    .addOption(new Option('--kernels <name>', 'the kernels products run on: native (AVX2 / AVX-512, where built), wasm, portable, or auto (native where it runs, else wasm)').choices(KERNEL_CHOICES).default('auto'))
    .option('--streams <B>', 'utterances processed side by side per thread', integerOption(1), 4)
    .option('--steps <T>', 'truncated BPTT steps per chunk', integerOption(1), 20)
    .option('--delay <D>', 'output label delay in frames', integerOption(0), 5)
    .option('--seed <S>', 'initialisation and shuffling seed', integerOption(0), 1)
    .option('--strict', 'stop at the first bad utterance instead of skipping it');
}

/**
 * What only `lstmp train` does (cluster, worker and ps have no time budget,
 * augmentation or annealed schedule, and refuse the options as unknown
 * rather than take them and do nothing).
 */
export function addSingleProcessOptions(command: Command): Command {
  return command
    .option('--minutes <M>', 'stop after this many minutes of training (then a last evaluation and checkpoint)', positiveOption)
    .option('--augment <list>', `augment each training utterance afresh every epoch: none, all, or some of ${AUGMENTATIONS.join(', ')} (NAME or NAME:PROBABILITY, comma-separated)`, augmentOption)
    .option('--anneal <factor>', 'instead of --lr-decay: anneal the rate to this fraction of --lr over the frames the run plans (--frames, --epochs or --minutes)', positiveOption);
}

/** `--augment`: an augmentation plan from its list. */
function augmentOption(value: string): AugmentationPlan {
  const plan = parseAugmentations(value);
  if (E.isLeft(plan)) throw new InvalidArgumentError(plan.left);
  return plan.right;
}

/**
 * The frames a run will train on, for its progress bar: the frame budget,
 * or every training frame (of this worker's `part` of them) once per epoch.
 */
export async function plannedFrames(options: Pick<PipelineOptions, 'corpus' | 'frames' | 'epochs'>, part = 1): Promise<number> {
  return options.frames ?? (options.epochs ?? 1) * Math.ceil((await splitFrames(options.corpus, 'train')) / part);
}

/** What `lstmp decode` needs besides the network, to store in every checkpoint; a corpus without lexicon.txt (a Kaldi import) has no decoding model. */
export async function decodingExtras(corpus: string): Promise<Pick<Checkpoint, 'states' | 'priors' | 'decoding'>> {
  return existsSync(join(corpus, 'lexicon.txt')) ? alignmentExtras(corpus) : { states: corpusStates(corpus) };
}
