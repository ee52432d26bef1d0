import * as E from 'fp-ts/lib/Either.js';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fail, orFail } from '../../errors.js';
import type { Checkpoint } from '../../model/formats/checkpoint.js';
import { decodeModelConfig, type ModelConfig } from '../../model/network/config.js';
import { decodeRecognitionLine, type RecognitionLine } from '../../model/formats/recognition-line.js';
import { decodeMetricsLine, type MetricsLine } from '../../model/formats/metrics-line.js';
import { decodeRunSummary, encodeRunSummary, type RunSummary } from '../../model/formats/run-summary.js';
import { loadCheckpoint } from './checkpoint-file.js';
import { readText, writeAtomic } from './files.js';

/** Everything a run directory holds that a report shows. */
export interface RunRecord {
  readonly dir: string;
  /** metrics.jsonl, in order (lines of types this version does not know left out) */
  readonly metrics: readonly MetricsLine[];
  /** the network's configuration: from model.msgpack, else from summary.json; null if neither says */
  readonly config: ModelConfig | null;
  /** model.msgpack without its weights, when there is one */
  readonly checkpoint: Omit<Checkpoint, 'parameters'> | null;
  /** summary.json (the main job writes one) */
  readonly summary: RunSummary | null;
  /** decode.jsonl: one line per decoded test utterance, once decoding has run */
  readonly decode: readonly RecognitionLine[] | null;
}

/**
 * Reads a run directory as `lstmp train --out` or `lstmp demo` leave it:
 * metrics.jsonl (required), model.msgpack, summary.json and decode.jsonl (each
 * optional). A missing directory or metrics file, or a line that does not
 * decode, fails naming the file and line.
 */
export function readRun(dir: string): RunRecord {
  if (!existsSync(dir)) fail(`${dir}: no such directory`);
  if (!statSync(dir).isDirectory()) fail(`${dir}: not a directory (expected a run directory from lstmp train --out)`);
  const metrics = jsonLines(join(dir, 'metrics.jsonl'), decodeMetricsLine).filter((line): line is MetricsLine => line !== null);
  const modelPath = join(dir, 'model.msgpack');
  let checkpoint: Omit<Checkpoint, 'parameters'> | null = null;
  if (existsSync(modelPath)) {
    const { parameters: _weights, ...rest } = loadCheckpoint(modelPath);
    checkpoint = rest;
  }
  const summaryPath = join(dir, 'summary.json');
  const summary = existsSync(summaryPath) ? orFail(decodeRunSummary(readText(summaryPath)), summaryPath) : null;
  const decodePath = join(dir, 'decode.jsonl');
  const decode = existsSync(decodePath) ? jsonLines(decodePath, decodeRecognitionLine) : null;
  let config = checkpoint?.config ?? null;
  if (!config && summary?.config !== undefined) config = orFail(decodeModelConfig(summary.config), `${summaryPath}: config`);
  return { dir, metrics, config, checkpoint, summary, decode };
}

/** The decoded non-blank lines of a JSONL file; the first bad one fails as `<file> line <n>: <what>`. */
function jsonLines<T>(path: string, decode: (line: string) => E.Either<string, T>): T[] {
  const lines = readText(path).split('\n');
  const decoded: T[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    decoded.push(orFail(decode(line), `${path} line ${i + 1}`));
  });
  return decoded;
}

/** Writes a run directory's summary.json atomically. */
export function writeRunSummary(dir: string, summary: RunSummary): void {
  writeAtomic(join(dir, 'summary.json'), encodeRunSummary(summary));
}
