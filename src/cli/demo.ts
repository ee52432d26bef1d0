import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, tap } from 'rxjs';
import type { Condition } from '../model/augmentation/conditions.js';
import { AUGMENTATION_DEFAULTS } from '../model/augmentation/plan.js';
import { recognitionLine } from '../model/formats/recognition-line.js';
import { NO_ERRORS, wordErrorRate } from '../ops/search/edit-distance.js';
import { reportPage } from '../report/report.js';
import { loadCheckpoint } from '../streams/io/checkpoint-file.js';
import { recognizeCorpus } from '../streams/recognition/recognize-corpus.js';
import { DEFAULT_RECOGNIZER_OPTIONS } from '../streams/recognition/recognizer.js';
import { readRun, writeRunSummary } from '../streams/io/run-dir.js';
import { splitTranscripts, wordErrors } from '../streams/recognition/word-errors.js';
import { writeAtomic } from '../streams/io/files.js';
import { DivergedError } from '../errors.js';
import type { ModelConfig } from '../model/network/config.js';
import { frameAccuracy } from '../streams/pipeline/score.js';
import { integerOption, threadsOption } from './options.js';
import { positiveOption } from './training-options.js';
import { progress } from './progress.js';
import { describeCorpus, DEFAULT_UTTERANCES, runSynth } from './synth.js';
import { runTrain, type TrainCommandOptions } from './train.js';

interface DemoOptions {
  corpus: string;
  out: string;
  threads: number;
  minutes: number;
  trainSeconds?: number;
  quiet?: boolean;
}

/** The main job's network and schedule: a 2-layer LSTMP that learns SynthDigits in minutes on 2 cores. */
export const DEMO_TRAINING = {
  cells: 192,
  projection: 96,
  layers: 2,
  // A larger initial range and momentum than the paper's (0.02, plain SGD): a
  // run of minutes cannot wait out the long plateau that tiny weights start on.
  // Biases and peepholes learn 10× slower: peepholes multiply cell values of
  // up to ±50, and at the full rate they grow until BPTT overflows.
  initRange: 0.1,
  // With augmentation and the native kernels' pace (about 9 M frames in the budget) a start at 0.002
  // collapsed or overflowed in 4 of 6 runs of 6–10 minutes, once the rate had stayed above ~1.2e-3 for
  // 1.3–2 M frames; at 0.001 it did not, and reached the same dev accuracy by 3 M frames (75 %).
  lr: 0.001,
  momentum: 0.5,
  // The rate anneals to a twentieth over the frames the time budget will hold, so the last stretch still learns.
  anneal: 0.05,
  lrDecay: 0.5,
  decayFrames: 1_500_000,
  biasRate: 0.1,
  augment: AUGMENTATION_DEFAULTS,
  streams: 4,
  steps: 20,
  delay: 5,
  seed: 1,
  evalEvery: 500_000,
  devUtterances: 300,
  kernels: 'auto',
  alignBeam: 60,
} as const;

/** What the job takes after training (the last evaluation, decoding the test split clean and in two conditions, the report), with room to spare. */
const AFTER_TRAINING_SECONDS = 60;

/** The conditions the job measures robustness in, besides the clean test split (summary.json's `robustness`). */
const ROBUSTNESS: readonly Condition[] = ['telephone', 'noisy10dB'];

/**
 * What the job goes on with when training diverges after it has kept a
 * model: the best on dev so far (model.msgpack), its dev figure from
 * metrics.jsonl, and a line saying so. Hogwild threads at the job's rate
 * occasionally overflow a gradient; losing the whole job to it would lose
 * a good model. Anything else, or a divergence before any model, ends the job.
 */
export function keptBeforeDivergence(error: unknown, out: string, say: (line: string) => void): { devFrameAccuracy: number; frames: number; trainSeconds: number; config: ModelConfig } {
  if (!(error instanceof DivergedError) || !existsSync(join(out, 'model.msgpack'))) throw error;
  const run = readRun(out);
  const kept = run.checkpoint?.training?.framesSeen;
  const evaluations = run.metrics.filter((line) => line.type === 'evaluation');
  const evaluation = evaluations.find((line) => line.framesSeen === kept);
  if (!run.config || kept === undefined || !evaluation) throw error;
  say(`${error.message}; the job goes on with the best model on dev, of frame ${kept}`);
  return { devFrameAccuracy: evaluation.devFrameAccuracy, frames: kept, trainSeconds: evaluations.at(-1)?.seconds ?? evaluation.seconds, config: run.config };
}

/**
 * Decodes the test split with the trained model, writes RUNDIR/decode.jsonl
 * (every utterance aligned against its transcript) and returns the WER.
 */
async function decodeTest(options: DemoOptions, condition: Condition = 'clean'): Promise<number> {
  const checkpoint = loadCheckpoint(join(options.out, 'model.msgpack'));
  const references = await splitTranscripts(options.corpus, 'test');
  const bar = progress({ label: condition === 'clean' ? 'decode' : condition, total: references.size, unit: 'utterances', fields: ['wer'], quiet: options.quiet });
  const lines: string[] = [];
  const last = await lastValueFrom(
    recognizeCorpus(options.corpus, checkpoint, { ...DEFAULT_RECOGNIZER_OPTIONS, split: 'test', threads: options.threads, condition }).pipe(
      wordErrors(references),
      tap((event) => {
        if (event.type === 'scored') lines.push(JSON.stringify(recognitionLine(event.id, event.reference, event.words, event.alignment)));
        bar.update(lines.length, { wer: `${(100 * wordErrorRate(event.totals)).toFixed(2)}%` });
      }),
    ),
    { defaultValue: null },
  ).finally(() => bar.stop());
  if (condition === 'clean') writeAtomic(join(options.out, 'decode.jsonl'), lines.map((line) => `${line}\n`).join(''));
  return wordErrorRate(last?.totals ?? NO_ERRORS);
}

/**
 * `lstmp demo` (`npm start`): the main job. Makes the SynthDigits corpus if it
 * is not there yet, trains a 2-layer LSTMP with Hogwild threads within a time
 * budget, evaluates on dev, decodes the test split, and writes summary.json,
 * decode.jsonl and report.html into the run directory.
 */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the main job (npm start): make SynthDigits if needed, train a 2-layer LSTMP, evaluate, decode the test split, write a report')
    .option('--corpus <DIR>', 'corpus directory (made if missing)', 'corpora/synthdigits')
    .option('--out <RUNDIR>', 'run directory', 'runs/demo')
    .option('--threads <N>', 'training threads', threadsOption, Math.min(2, availableParallelism()))
    .option('--minutes <M>', 'the whole job aims to end within M minutes: training gets what the corpus leaves, less the time decoding and the report take', positiveOption, 9.5)
    .option('--train-seconds <S>', 'train this long instead, whatever the job then takes', integerOption(1))
    .option('--quiet', 'no progress output')
    .action(async (options: DemoOptions) => {
      const started = performance.now();
      const say = (line: string) => options.quiet || process.stdout.write(`${line}\n`);
      if (!existsSync(join(options.corpus, 'manifest.jsonl'))) {
        say(`making the SynthDigits corpus in ${options.corpus}`);
        const corpus = await runSynth({ out: options.corpus, utterances: DEFAULT_UTTERANCES, seed: 1, threads: availableParallelism(), quiet: options.quiet });
        say(describeCorpus(options.corpus, corpus));
      }
      const training: TrainCommandOptions = {
        ...DEMO_TRAINING,
        corpus: options.corpus,
        out: options.out,
        threads: options.threads,
        quiet: options.quiet,
      };
      const trainSeconds = options.trainSeconds ?? Math.max(30, options.minutes * 60 - (performance.now() - started) / 1000 - AFTER_TRAINING_SECONDS);
      const trained = await runTrain({ ...training, minutes: trainSeconds / 60 }).then(
        (done) => ({ devFrameAccuracy: frameAccuracy(done.dev), frames: done.framesSeen, trainSeconds: done.elapsed, config: done.checkpoint.config }),
        (error: unknown) => keptBeforeDivergence(error, options.out, say),
      );
      const testWer = await decodeTest(options);
      const robustness: Record<string, number> = {};
      for (const condition of ROBUSTNESS) robustness[condition] = await decodeTest(options, condition);
      const summary = { devFrameAccuracy: trained.devFrameAccuracy, testWer, robustness, frames: trained.frames, trainSeconds: trained.trainSeconds, threads: options.threads, config: trained.config };
      writeRunSummary(options.out, summary);
      const report = join(options.out, 'report.html');
      writeAtomic(report, reportPage(readRun(options.out)));
      say(`dev frame accuracy ${(100 * summary.devFrameAccuracy).toFixed(2)}% after ${summary.frames} frames in ${summary.trainSeconds.toFixed(0)} s on ${summary.threads} thread${summary.threads === 1 ? '' : 's'}`);
      say(`test word error rate ${(100 * testWer).toFixed(2)}% (held-out voices); ${ROBUSTNESS.map((c) => `${c} ${(100 * robustness[c]).toFixed(2)}%`).join(', ')}`);
      say(`${join(options.out, 'summary.json')}\n${report}`);
    });
}
