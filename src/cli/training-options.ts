import { InvalidArgumentError, Option, type Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { orFail } from '../errors.js';
import type { Checkpoint } from '../model/checkpoint.js';
import { priorsOf } from '../model/decoding-model.js';
import { decodeSchedule, type Schedule } from '../model/schedule.js';
import { KERNEL_NAMES, type KernelName } from '../ops/kernel-choice.js';
import { corpusStates } from '../streams/corpus.js';
import { decodingModel } from '../streams/decoding-model.js';
import { integerOption, numberOption } from './options.js';

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

export function addNetworkOptions(command: Command): Command {
  return command
    .option('--cells <C>', 'memory cells per layer', integerOption(1), 256)
    .option('--projection <P>', 'recurrent projection units (0 = plain LSTM)', integerOption(0), 128)
    .option('--layers <L>', 'LSTM layers', integerOption(1), 2)
    .option('--init-range <r>', 'initial weights uniform in (-r, r) (the paper: 0.02)', positiveOption, 0.02);
}

/** The learning-rate schedule's options, shared by train, ps and cluster. */
export interface ScheduleOptions {
  lr: number;
  lrDecay: number;
  decayFrames: number;
  biasRate: number;
  gradientClip?: number;
  momentum: number;
}

export function addScheduleOptions(command: Command): Command {
  return command
    .option('--lr <rate>', 'learning rate per frame (gradients are summed over frames)', positiveOption, 1e-3)
    .option('--lr-decay <factor>', 'multiply the rate by this every --decay-frames frames', positiveOption, 0.5)
    .option('--decay-frames <F>', 'frames per decay step', integerOption(1), 2_000_000)
    .option('--bias-rate <factor>', 'learning-rate factor for biases and peepholes', positiveOption, 0.1)
    .option('--gradient-clip <x>', 'clip each gradient element to ±x', positiveOption)
    .option('--momentum <m>', 'momentum (0: plain SGD as in the paper)', numberOption, 0);
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
    }),
  );
}

/** How the training pipeline runs: threads, passes, chunking. Shared by train, worker and cluster. */
export interface PipelineOptions {
  corpus: string;
  threads: number;
  epochs?: number;
  frames?: number;
  kernels: KernelName;
  streams: number;
  steps: number;
  delay: number;
  seed: number;
  strict?: boolean;
}

export function addPipelineOptions(command: Command): Command {
  return command
    .requiredOption('--corpus <DIR>', 'corpus directory (lstmp synth or lstmp import-kaldi)')
    .option('--threads <N>', 'training threads sharing the parameters', integerOption(1), 2)
    .option('--epochs <E>', 'passes over the training data', integerOption(1))
    .option('--frames <F>', 'stop after this many training frames', integerOption(1))
    .addOption(new Option('--kernels <name>', 'the kernels products run on').choices(KERNEL_NAMES).default('wasm'))
    .option('--streams <B>', 'utterances processed side by side per thread', integerOption(1), 4)
    .option('--steps <T>', 'truncated BPTT steps per chunk', integerOption(1), 20)
    .option('--delay <D>', 'output label delay in frames', integerOption(0), 5)
    .option('--seed <S>', 'initialisation and shuffling seed', integerOption(0), 1)
    .option('--strict', 'stop at the first bad utterance instead of skipping it');
}

/** What `lstmp decode` needs besides the network, to store in every checkpoint; a corpus without lexicon.txt (a Kaldi import) has no decoding model. */
export async function decodingExtras(corpus: string): Promise<Pick<Checkpoint, 'states' | 'priors' | 'decoding'>> {
  const states = corpusStates(corpus);
  if (!existsSync(join(corpus, 'lexicon.txt'))) return { states };
  const decoding = await decodingModel(corpus);
  return { states, priors: priorsOf(decoding), decoding };
}
