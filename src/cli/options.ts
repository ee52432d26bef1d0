import { InvalidArgumentError, Option } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import { availableParallelism } from 'node:os';
import { parseCompression } from '../model/cluster/compression.js';
import type { Compression } from '../ops/compression/compression.js';
import { fail } from '../errors.js';

/** Parses a whole number ≥ min for a commander option. */
export function integerOption(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(`expected a whole number ≥ ${min}, got "${value}"`);
    }
    return n;
  };
}

/** Parses a finite number for a commander option. */
export function numberOption(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got "${value}"`);
  return n;
}

/**
 * The most threads, or processes on one machine, a command runs: 4 per core.
 * Beyond the cores they only take turns, each with its own memory (500
 * training threads took 3.2 GB and trained nothing; 100,000 hung).
 */
export const MAX_THREADS = 4 * availableParallelism();

/** Parses a count of threads (or of processes on this machine) for a commander option: a whole number from 1 to {@link MAX_THREADS}. */
export function threadsOption(value: string): number {
  const n = integerOption(1)(value);
  if (n > MAX_THREADS) throw new InvalidArgumentError(`expected at most ${MAX_THREADS} (4 per core on this machine): more would only take turns on the cores, each with its own memory; got "${value}"`);
  return n;
}

/** Parses `--compress` for a commander option: none, bf16, 1bit or topk:F. */
export function compressionOption(value: string): Compression {
  const compression = parseCompression(value);
  if (E.isLeft(compression)) throw new InvalidArgumentError(compression.left);
  return compression.right;
}

/** What a distributed worker pushes: its gradients (the shards run SGD), or deltas (it runs SGD itself: local SGD). */
export type Pushing = 'gradients' | 'deltas';

/** How the shards combine the deltas of the workers: `--combine average|sum`. */
export type Combining = 'average' | 'sum';

export function combineOption(): Option {
  return new Option('--combine <how>', 'pushing deltas: the shards hold the average of the workers\' models (each pushes 1/W of its change: model averaging) or their sum (W workers step as W Hogwild threads would) (default: average)').choices(['average', 'sum']);
}

/** `--push deltas|gradients`, shared by worker and cluster. */
export function pushOption(): Option {
  return new Option('--push <what>', 'what workers push: deltas (each worker runs SGD on its own copy and pushes what it changed, which the shards add: local SGD) or gradients (the shards run SGD on them: DistBelief\'s Downpour)')
    .choices(['deltas', 'gradients'])
    .default('deltas');
}

/**
 * How the shards combine a worker's pushes and how they are compressed, by
 * what it pushes; or a one-line refusal of a choice that means nothing for
 * what it pushes.
 */
export function pushChoices(options: { push: Pushing; combine?: Combining; fetchEvery: number; compress?: Compression }): { combine: Combining; compress: Compression } {
  if (options.push === 'deltas' && options.fetchEvery !== 1) fail('--fetch-every: every push of deltas fetches; give it with --push gradients only');
  if (options.push === 'gradients' && options.combine !== undefined) fail('--combine: the shards combine deltas; give it with --push deltas only');
  // bf16 deltas, answered in bf16, learnt as float32 ones do with half the bytes on the wire, and no
  // slower here; a gradient's bf16 encoding costs more time than its bytes save on a fast link
  // (docs/distributed.md).
  const compress = options.compress ?? (options.push === 'deltas' ? { kind: 'bf16' } : { kind: 'f32' });
  return { combine: options.combine ?? 'average', compress };
}
