import { InvalidArgumentError } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import { availableParallelism } from 'node:os';
import { parseCompression } from '../model/cluster/compression.js';
import type { Compression } from '../ops/compression/compression.js';

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
