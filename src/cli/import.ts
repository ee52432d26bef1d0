import { Option, type Command } from 'commander';
import { join } from 'node:path';
import type { Split } from '../model/corpus/manifest.js';
import { countByReason, importKaldi, leftOutLine, type KaldiImportResult } from '../streams/corpora/kaldi-import.js';
import { integerOption } from './options.js';
import { progress, type Progress } from './progress.js';

interface ImportKaldiCommandOptions {
  alignments: string;
  states: string;
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
function importWithProgress(dataDir: string, options: ImportKaldiCommandOptions): KaldiImportResult {
  let bar: Progress | undefined;
  let skipped = 0;
  try {
    return importKaldi({ dataDir, ...options }, ({ done, total, leftOut }) => {
      bar ??= progress({ label: 'import-kaldi', total, unit: 'utterances', fields: ['skipped'], quiet: options.quiet || options.json });
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

/**
 * `lstmp import-kaldi`: a Kaldi data directory and its frame alignments as an
 * lstmp corpus. The summary goes to stdout, progress and each utterance left
 * out to stderr (and, with the adjusted ones, to import-report.txt).
 */
export function registerImportKaldi(program: Command): void {
  program
    .command('import-kaldi')
    .description('import a Kaldi data directory (wav.scp, text, utt2spk, optional segments) and its frame alignments as a corpus')
    .argument('<DATA_DIR>', 'Kaldi data directory')
    .requiredOption('--alignments <ALI.txt>', 'frame alignments as text, "utt-id s1 s2 …" per line (ali-to-pdf … ark,t:-)')
    .requiredOption('--states <STATES.txt>', 'state names, one per line, line n naming state n')
    .requiredOption('--out <DIR>', 'corpus directory (appended to when it holds a corpus)')
    .addOption(new Option('--split <split>', 'the split of every imported utterance').choices(['train', 'dev', 'test']).default('train'))
    .option('--tolerance <N>', 'fit alignments at most N frames off the audio by trimming or repeating the last state', integerOption(0), 2)
    .option('--quiet', 'print nothing but errors (import-report.txt still lists every utterance left out)')
    .option('--json', 'no progress; print one JSON line {"utterances", "adjusted", "skipped", "frames", "seconds", "split", "out"} (utterances and frames imported)')
    .action((dataDir: string, options: ImportKaldiCommandOptions) => {
      const began = performance.now();
      const result = importWithProgress(dataDir, options);
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
    });
}
