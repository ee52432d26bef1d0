import { Option, type Command } from 'commander';
import { availableParallelism } from 'node:os';
import { lastValueFrom, tap } from 'rxjs';
import { fail } from '../errors.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { addAgreements, alignmentAgreement, formatAlignmentLine, NO_AGREEMENT, parseAlignments, type Agreement } from '../model/corpus/alignment.js';
import { orFail } from '../errors.js';
import type { Split } from '../model/corpus/manifest.js';
import type { TimedUnit } from '../model/decoding/transcript-graph.js';
import { splitTranscripts } from '../streams/recognition/word-errors.js';
import { loadCheckpoint } from '../streams/io/checkpoint-file.js';
import { readText, writeAtomic } from '../streams/io/files.js';
import { alignCorpus } from '../streams/recognition/recognize-corpus.js';
import { DEFAULT_ALIGNER_OPTIONS } from '../streams/recognition/aligner.js';
import { integerOption } from './options.js';
import { progress } from './progress.js';
import { positiveOption } from './training-options.js';

interface AlignCommandOptions {
  checkpoint: string;
  corpus: string;
  split?: Split;
  out: string;
  ctm?: string;
  phoneCtm?: string;
  beam: number;
  acousticScale: number;
  transitionScale: number;
  threads: number;
  json?: boolean;
  quiet?: boolean;
}

/** Seconds per frame: features every 10 ms. */
const FRAME_SECONDS = 0.01;

/** CTM lines (`utt 1 start duration token`) of timed units, in seconds. */
function ctmLines(id: string, units: readonly TimedUnit[]): string {
  return units.map((u) => `${id} 1 ${(u.start * FRAME_SECONDS).toFixed(2)} ${((u.end - u.start) * FRAME_SECONDS).toFixed(2)} ${u.name}\n`).join('');
}

/**
 * The corpus's own alignments (a synthesizer's labels, an import's), if it
 * has them in the states the model predicts: what an alignment is compared with.
 */
function corpusAlignments(corpus: string, states: readonly string[] | undefined): Map<string, Int32Array> | null {
  const path = join(corpus, 'alignments.txt');
  const statesPath = join(corpus, 'states.txt');
  if (!existsSync(path) || !existsSync(statesPath) || states === undefined) return null;
  if (readText(statesPath) !== states.map((name) => `${name}\n`).join('')) return null;
  return orFail(parseAlignments(readText(path)), path);
}

const percent = (part: number, whole: number) => `${((100 * part) / Math.max(whole, 1)).toFixed(1)}%`;

/**
 * `lstmp align`: forced alignment of a corpus's utterances to their
 * transcripts with a trained model: a state per frame in the corpus's
 * alignments.txt format, and word (and phone) times as CTM. An utterance
 * that cannot be aligned is left out of the files and named with the
 * reason; all of them are counted. The files are written whole at the end.
 * A corpus with alignments of its own (a synthesizer's labels) is compared
 * with them: the share of frames in the same state and in the same phone.
 */
export function registerAlign(program: Command): void {
  program
    .command('align')
    .description("force-align a corpus's utterances to their transcripts: states per frame (alignments.txt format) and word and phone times (CTM)")
    .requiredOption('--checkpoint <ck.msgpack>', 'a trained model with its decoding model (lstmp train on a corpus with a lexicon)')
    .requiredOption('--corpus <DIR>', 'the corpus whose utterances to align')
    .addOption(new Option('--split <split>', 'one split (default: every utterance, in manifest order)').choices(['train', 'dev', 'test']))
    .requiredOption('--out <ali.txt>', 'the alignments: "utt-id s1 s2 …" a line')
    .option('--ctm <words.ctm>', 'word times, "utt 1 start duration word" a line (seconds)')
    .option('--phone-ctm <phones.ctm>', 'phone times, silence included, in the same format')
    .option('--beam <B>', 'drop alignment paths this far below the best (log units)', positiveOption, DEFAULT_ALIGNER_OPTIONS.alignBeam)
    .option('--acoustic-scale <x>', 'weight of the acoustic log-likelihoods against the HMM transitions', positiveOption, DEFAULT_ALIGNER_OPTIONS.acousticScale)
    .option('--transition-scale <x>', 'weight of the HMM transition log probabilities', positiveOption, DEFAULT_ALIGNER_OPTIONS.transitionScale)
    .option('--threads <N>', 'alignment threads', integerOption(1), Math.min(2, availableParallelism()))
    .option('--quiet', 'no progress on stderr (utterances left out are still named)')
    .option('--json', 'print one JSON line {"aligned", "unaligned", "frames", "seconds", "out", "agreement"} at the end (agreement with the corpus\'s own alignments: {"states", "phones"} as fractions of frames, or null)')
    .action(async (options: AlignCommandOptions) => {
      const began = performance.now();
      const checkpoint = loadCheckpoint(options.checkpoint);
      if (!checkpoint.decoding) fail(`${options.checkpoint}: no decoding model to align with: train on a corpus with a lexicon (lstmp train), whose checkpoints carry one`);
      const total = options.split ? (await splitTranscripts(options.corpus, options.split)).size : (await Promise.all((['train', 'dev', 'test'] as const).map((s) => splitTranscripts(options.corpus, s)))).reduce((n, m) => n + m.size, 0);
      const bar = progress({ label: 'align', total, unit: 'utterances', fields: ['unaligned'], quiet: options.quiet || options.json });
      const alignments: string[] = [];
      const words: string[] = [];
      const phones: string[] = [];
      let unaligned = 0;
      let frames = 0;
      const reference = corpusAlignments(options.corpus, checkpoint.states);
      let agreement: Agreement = NO_AGREEMENT;
      await lastValueFrom(
        alignCorpus(options.corpus, checkpoint, { ...DEFAULT_ALIGNER_OPTIONS, acousticScale: options.acousticScale, transitionScale: options.transitionScale, split: options.split, threads: options.threads, alignBeam: options.beam }).pipe(
          tap((event) => {
            if (event.type === 'skipped') {
              unaligned++;
              bar.log(`not aligned ${event.id}: ${event.reason}`);
            } else {
              alignments.push(formatAlignmentLine(event.id, event.states));
              words.push(ctmLines(event.id, event.words));
              phones.push(ctmLines(event.id, event.phones));
              frames += event.states.length;
              const given = reference?.get(event.id);
              if (given) agreement = addAgreements(agreement, alignmentAgreement(event.states, given));
            }
            bar.update(alignments.length + unaligned, { unaligned });
          }),
        ),
        { defaultValue: null },
      ).finally(() => bar.stop());
      writeAtomic(options.out, alignments.map((line) => `${line}\n`).join(''));
      if (options.ctm) writeAtomic(options.ctm, words.join(''));
      if (options.phoneCtm) writeAtomic(options.phoneCtm, phones.join(''));
      const seconds = (performance.now() - began) / 1000;
      const compared = agreement.frames > 0 ? { states: agreement.sameState / agreement.frames, phones: agreement.samePhone / agreement.frames } : null;
      if (options.json) process.stdout.write(`${JSON.stringify({ aligned: alignments.length, unaligned, frames, seconds, out: options.out, agreement: compared })}\n`);
      else if (!options.quiet) {
        const against = compared ? `; agrees with the corpus's alignments on ${percent(agreement.samePhone, agreement.frames)} of frames in phone, ${percent(agreement.sameState, agreement.frames)} in state` : '';
        process.stdout.write(`aligned ${alignments.length} utterances (${frames} frames), ${unaligned} could not be${against}: ${options.out}\n`);
      }
    });
}
