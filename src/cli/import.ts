import { Option, type Command } from 'commander';
import { join } from 'node:path';
import type { Split } from '../model/corpus/manifest.js';
import { countByReason, importKaldi, leftOutLine, type KaldiImportResult } from '../streams/corpora/kaldi-import.js';
import { integerOption } from './options.js';
import { progress, type Progress } from './progress.js';

interface ImportCommandOptions {
  alignments?: string;
  states?: string;
  lexicon?: string;
  out: string;
  split: Split;
  tolerance: number;
  quiet?: boolean;
  json?: boolean;
}

/**
 * The import with a progress bar on stderr, each utterance left out logged
 * above it. The bar starts at the first utterance, once every input file has
 * been checked, so refused input gets one line on stderr and nothing else.
 */
function importWithProgress(dataDir: string, options: ImportCommandOptions, label: string): KaldiImportResult {
  let bar: Progress | undefined;
  let skipped = 0;
  try {
    return importKaldi({ dataDir, ...options }, ({ done, total, leftOut }) => {
      bar ??= progress({ label, total, unit: 'utterances', fields: ['skipped'], quiet: options.quiet || options.json });
      if (leftOut) {
        skipped++;
        bar.log(leftOutLine(leftOut));
      }
      bar.update(done, { skipped });
    });
  } finally {
    bar?.stop();
  }
}

/** What both import commands do once their options are parsed: import, then say what happened. */
function runImport(dataDir: string, options: ImportCommandOptions, label: string): void {
  const began = performance.now();
  const result = importWithProgress(dataDir, options, label);
  const seconds = (performance.now() - began) / 1000;
  if (options.json) {
    const line = { utterances: result.imported, adjusted: result.adjusted.length, skipped: result.leftOut.length, frames: result.frames, seconds, split: options.split, out: options.out };
    process.stdout.write(`${JSON.stringify(line)}\n`);
    return;
  }
  if (options.quiet) return;
  const reasons = Object.entries(countByReason(result.leftOut)).map(([reason, n]) => `  ${reason}: ${n}\n`);
  process.stdout.write(
    `imported ${result.imported}, adjusted ${result.adjusted.length}, left out ${result.leftOut.length} into ${options.out} (${options.split})\n` +
      reasons.join('') +
      `report: ${join(options.out, 'import-report.txt')}\n`,
  );
}

const SPLIT = () => new Option('--split <split>', 'the split of every imported utterance').choices(['train', 'dev', 'test']).default('train');
const QUIET = 'print nothing but errors (import-report.txt still lists every utterance left out)';
const JSON_LINE = 'no progress; print one JSON line {"utterances", "adjusted", "skipped", "frames", "seconds", "split", "out"} (utterances and frames imported)';

/**
 * `lstmp import`: recordings and their transcripts as an lstmp corpus: a
 * Kaldi data directory (wav.scp, text, utt2spk, optional segments) or a
 * folder of WAV files with a transcripts.tsv, any sample rate; with frame
 * alignments, or without, the words then spelled by a lexicon for training
 * with --flat-start. The summary goes to stdout, progress and each utterance
 * left out to stderr (and to import-report.txt). `import-kaldi`, its
 * earlier name, still works.
 */
export function registerImport(program: Command): void {
  program
    .command('import')
    .alias('import-kaldi')
    .description('import recordings and their transcripts as a corpus: a Kaldi data directory, or a folder of WAV files with transcripts.tsv; alignments optional')
    .argument('<DATA_DIR>', 'a Kaldi data directory, or a folder of WAV files with transcripts.tsv ("<file><TAB><words>" a line)')
    .requiredOption('--out <DIR>', 'corpus directory (appended to when it holds a corpus)')
    .addOption(SPLIT())
    .option('--lexicon <FILE>', "without alignments: the words' pronunciations, CMUdict format (default: the digit words)")
    .option('--alignments <ALI.txt>', 'frame alignments as text, "utt-id s1 s2 …" per line (with --states)')
    .option('--states <STATES.txt>', 'the alignments\' state names, one per line, line n naming state n')
    .option('--tolerance <N>', 'fit alignments at most N frames off the audio by trimming or repeating the last state', integerOption(0), 2)
    .option('--quiet', QUIET)
    .option('--json', JSON_LINE)
    .action((dataDir: string, options: ImportCommandOptions) => runImport(dataDir, options, 'import'));
}
