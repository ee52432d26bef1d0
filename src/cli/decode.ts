import { InvalidArgumentError, Option, type Command } from 'commander';
import { availableParallelism } from 'node:os';
import { lastValueFrom, tap } from 'rxjs';
import { fail, orFail } from '../errors.js';
import type { Checkpoint } from '../model/formats/checkpoint.js';
import { priorsOf } from '../model/decoding/decoding-model.js';
import type { Split } from '../model/corpus/manifest.js';
import { CONDITIONS, type Condition } from '../model/augmentation/conditions.js';
import { errorsOf, NO_ERRORS, sentenceErrorRate, wordErrorRate, type EditAlignment } from '../ops/search/edit-distance.js';
import { loadCheckpoint } from '../streams/io/checkpoint-file.js';
import { corpusStates } from '../streams/corpora/corpus.js';
import { recognizeCorpus } from '../streams/recognition/recognize-corpus.js';
import { corpusDecodingModel } from '../streams/recognition/corpus-decoding-model.js';
import { featuresOf } from '../streams/pipeline/features.js';
import { readBytes } from '../streams/io/files.js';
import { DEFAULT_RECOGNIZER_OPTIONS, recognizerOf, type Recognizer, type RecognizerOptions } from '../streams/recognition/recognizer.js';
import { splitTranscripts, wordErrors } from '../streams/recognition/word-errors.js';
import { integerOption, numberOption, threadsOption } from './options.js';
import { progress } from './progress.js';
import { decodeStream } from './decode-stream.js';
import { DEFAULT_ENDPOINT_MS } from '../streams/recognition/live-recognition.js';

interface DecodeCommandOptions {
  checkpoint: string;
  stream?: boolean;
  rawRate?: number;
  endpointMs: number;
  corpus?: string;
  split: Split;
  json?: boolean;
  beam: number;
  maxActive: number;
  acousticScale: number;
  priorScale: number;
  transitionScale: number;
  wordBonus: number;
  silenceFactor?: number;
  limit?: number;
  threads: number;
  condition?: Condition;
  quiet?: boolean;
}

function positive(value: string): number {
  const n = numberOption(value);
  if (!(n > 0)) throw new InvalidArgumentError(`expected a number > 0, got "${value}"`);
  return n;
}

function nonNegative(value: string): number {
  const n = numberOption(value);
  if (!(n >= 0)) throw new InvalidArgumentError(`expected a number ≥ 0, got "${value}"`);
  return n;
}

/**
 * The checkpoint, with a decoding model (and state names) estimated from the
 * corpus's training split when it carries none, e.g. one trained before
 * checkpoints held them.
 */
async function decodableCheckpoint(options: DecodeCommandOptions, note: (line: string) => void): Promise<Checkpoint> {
  const checkpoint = loadCheckpoint(options.checkpoint);
  if (checkpoint.decoding || options.corpus === undefined) return checkpoint;
  note(`${options.checkpoint} has no decoding model: estimating one from ${options.corpus}'s training split`);
  const decoding = await corpusDecodingModel(options.corpus);
  const states = checkpoint.states ?? corpusStates(options.corpus);
  return { ...checkpoint, states, decoding, priors: priorsOf(decoding) };
}

/** Reference and hypothesis side by side, sclite style: errors in capitals, gaps as ***. */
function alignedText(reference: readonly string[], hypothesis: readonly string[], alignment: EditAlignment): [string, string] {
  const ref: string[] = [];
  const hyp: string[] = [];
  for (const { operation, reference: r, hypothesis: h } of alignment.pairs) {
    const shown = (word: string | undefined) => (word === undefined ? '***' : operation === 'correct' ? word : word.toUpperCase());
    const [a, b] = [shown(reference[r]), shown(hypothesis[h])];
    const width = Math.max(a.length, b.length);
    ref.push(a.padEnd(width));
    hyp.push(b.padEnd(width));
  }
  return [ref.join(' ').trimEnd(), hyp.join(' ').trimEnd()];
}

async function decodeSplit(options: DecodeCommandOptions & { corpus: string }, recognizer: RecognizerOptions, checkpoint: Checkpoint): Promise<void> {
  const references = await splitTranscripts(options.corpus, options.split, options.limit);
  if (references.size === 0) fail(`${options.corpus}: no ${options.split} utterances`);
  const bar = progress({ label: 'decode', total: references.size, unit: 'utterances', fields: ['wer', 'fps'], quiet: options.quiet || options.json });
  const began = performance.now();
  const seconds = () => (performance.now() - began) / 1000;
  let done = 0;
  let skipped = 0;
  const last = await lastValueFrom(
    recognizeCorpus(options.corpus, checkpoint, { ...recognizer, split: options.split, limit: options.limit, threads: options.threads, condition: options.condition }).pipe(
      wordErrors(references),
      tap((event) => {
        done++;
        if (event.type === 'skipped') {
          skipped++;
          // a warning, not progress: shown even with --quiet or --json
          if (options.json || options.quiet) process.stderr.write(`skipped ${event.id}: ${event.reason}\n`);
          else bar.log(`skipped ${event.id}: ${event.reason}`);
        } else if (!options.json) {
          const [ref, hyp] = alignedText(event.reference, event.words, event.alignment);
          const { substitutions, deletions, insertions } = event.alignment.counts;
          const errors = errorsOf(event.alignment.counts);
          const incomplete = event.final ? '' : ', no complete path';
          process.stdout.write(`${event.id}  ref: ${ref}  |  hyp: ${hyp}  |  ${errors} error${errors === 1 ? '' : 's'} (${substitutions} sub, ${deletions} del, ${insertions} ins${incomplete})\n`);
        }
        bar.update(done, { wer: `${(100 * wordErrorRate(event.totals)).toFixed(2)}%`, fps: Math.round(event.frames / Math.max(seconds(), 1e-9)) });
      }),
    ),
    { defaultValue: null },
  ).finally(() => bar.stop());
  const totals = last?.totals ?? NO_ERRORS;
  const frames = last?.frames ?? 0;
  const { words, substitutions, deletions, insertions, sentences, sentenceErrors } = totals;
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ wer: wordErrorRate(totals), ser: sentenceErrorRate(totals), words, sub: substitutions, del: deletions, ins: insertions, skipped })}\n`);
    return;
  }
  process.stdout.write(
    `${options.split}: WER ${(100 * wordErrorRate(totals)).toFixed(2)}% (${substitutions} sub, ${deletions} del, ${insertions} ins of ${words} words), ` +
      `SER ${(100 * sentenceErrorRate(totals)).toFixed(2)}% (${sentenceErrors} of ${sentences} utterances)${skipped ? `, ${skipped} skipped` : ''}; ` +
      `${frames} frames in ${seconds().toFixed(1)} s (${Math.round(frames / Math.max(seconds(), 1e-9))} frames/s on ${options.threads} thread${options.threads === 1 ? '' : 's'})\n`,
  );
}

function decodeFiles(files: readonly string[], decoder: Recognizer, json: boolean): void {
  // Every file is read before any is decoded, so a bad one fails before anything is printed.
  const inputs = files.map((file) => {
    const matrix = orFail(featuresOf(readBytes(file), decoder.fbank, decoder.normalisation), file);
    return { file, utterance: { frames: matrix.frames, dim: matrix.bins, features: matrix.data } };
  });
  for (const { file, utterance } of inputs) {
    const { words } = decoder.recognize(utterance);
    process.stdout.write(json ? `${JSON.stringify({ file, words })}\n` : `${file}: ${words.join(' ')}\n`);
  }
}

/** `lstmp decode`: word error rate on a corpus split, or transcripts of WAV files. */
export function registerDecode(program: Command): void {
  const defaults = DEFAULT_RECOGNIZER_OPTIONS;
  program
    .command('decode')
    .description('hybrid HMM decoding: transcribe WAV files, or score a corpus split (word and sentence error rates)')
    .argument('[file.wav...]', 'WAV files to transcribe (any sample rate); with --stream one file, or - (the default) for stdin')
    .requiredOption('--checkpoint <ck.msgpack>', 'trained model (with its decoding model, as lstmp train writes it)')
    .option('--corpus <DIR>', 'score this corpus split; for a checkpoint without a decoding model, estimate one from its training split')
    .addOption(new Option('--split <split>', 'which split to score').choices(['train', 'dev', 'test']).default('test'))
    .option('--stream', 'recognise the audio as it arrives (from a file or stdin), printing each final segment as it becomes final')
    .option('--raw-rate <Hz>', 'with --stream: the input is raw signed 16-bit little-endian mono PCM at this rate, not WAV', integerOption(1000))
    .option('--endpoint-ms <ms>', 'with --stream: a final waits for this much silence after speech (0: each word once no other path remains)', nonNegative, DEFAULT_ENDPOINT_MS)
    .option(
      '--json',
      'print one JSON line {"wer", "ser", "words", "sub", "del", "ins", "skipped"} (rates as fractions); with files, one {"file", "words"} per file; with --stream, one {"type": "partial"|"final", "words", "start", "end", "latencyMs"} per event',
    )
    .option('--beam <B>', 'drop paths scoring this far below the best (log units)', positive, defaults.beam)
    .option('--max-active <N>', 'keep at most N paths per frame', integerOption(1), defaults.maxActive)
    .option('--acoustic-scale <x>', 'weight of the acoustic log-likelihoods against the HMM and bigram', positive, defaults.acousticScale)
    .option('--prior-scale <x>', 'exponent of the state priors divided out of the posteriors', nonNegative, defaults.priorScale)
    .option('--transition-scale <x>', 'weight of the HMM transition log probabilities', positive, defaults.transitionScale)
    .option('--word-bonus <x>', 'log score added for every word (a negative insertion penalty)', numberOption, defaults.wordBonus)
    .option('--silence-factor <x>', "recompute the priors with silence counts divided by x (default: the checkpoint's priors)", positive)
    .option('--limit <N>', 'score only the first N utterances of the split', integerOption(1))
    .addOption(new Option('--condition <name>', 'hear the split through a condition training did not choose: a telephone line, pink noise at 10 or 0 dB SNR, a room').choices(CONDITIONS).default('clean'))
    .option('--threads <N>', 'decoding threads', threadsOption, Math.min(2, availableParallelism()))
    .option('--quiet', 'no progress on stderr')
    .action(async (files: string[], options: DecodeCommandOptions) => {
      if (options.stream && (files.length > 1 || options.corpus !== undefined)) fail('--stream reads one file, or - for stdin, and no --corpus');
      if (!options.stream && options.rawRate !== undefined) fail('--raw-rate goes with --stream');
      if (files.length === 0 && options.corpus === undefined && !options.stream) fail('give WAV files to transcribe, or --corpus DIR to score');
      const note = (line: string) => {
        if (!options.quiet && !options.json) process.stderr.write(`${line}\n`);
      };
      const checkpoint = await decodableCheckpoint(options, note);
      const recognizer: RecognizerOptions = {
        acousticScale: options.acousticScale,
        priorScale: options.priorScale,
        transitionScale: options.transitionScale,
        wordBonus: options.wordBonus,
        beam: options.beam,
        maxActive: options.maxActive,
        silenceFactor: options.silenceFactor,
      };
      // A checkpoint that cannot decode is refused here, before any thread starts.
      const decoder = orFail(recognizerOf(checkpoint, recognizer), options.checkpoint);
      if (options.stream) await decodeStream(decoder, { source: files[0] ?? '-', rawRate: options.rawRate, endpointMs: options.endpointMs, json: options.json ?? false, quiet: options.quiet ?? false });
      else if (files.length > 0) decodeFiles(files, decoder, options.json ?? false);
      else await decodeSplit({ ...options, corpus: options.corpus as string }, recognizer, checkpoint);
    });
}
