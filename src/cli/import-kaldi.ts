import { Option, type Command } from 'commander';
import { join } from 'node:path';
import type { Split } from '../model/manifest.js';
import { countByReason, importKaldi, leftOutLines } from '../streams/kaldi-import.js';
import { integerOption } from './options.js';

interface ImportKaldiCommandOptions {
  alignments: string;
  states: string;
  out: string;
  split: Split;
  tolerance: number;
}

/**
 * `lstmp import-kaldi`: a Kaldi data directory and its frame alignments as an
 * lstmp corpus. The summary goes to stdout, each utterance left out to stderr
 * (and, with the adjusted ones, to import-report.txt).
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
    .action((dataDir: string, options: ImportKaldiCommandOptions) => {
      const result = importKaldi({ dataDir, ...options });
      for (const line of leftOutLines(result)) process.stderr.write(`${line}\n`);
      const reasons = Object.entries(countByReason(result.leftOut)).map(([reason, n]) => `  ${reason}: ${n}\n`);
      process.stdout.write(
        `imported ${result.imported}, adjusted ${result.adjusted.length}, left out ${result.leftOut.length} into ${options.out} (${options.split})\n` +
          reasons.join('') +
          `report: ${join(options.out, 'import-report.txt')}\n`,
      );
    });
}
