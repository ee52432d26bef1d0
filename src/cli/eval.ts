import { Option, type Command } from 'commander';
import { fail } from '../errors.js';
import type { Split } from '../model/corpus/manifest.js';
import { networkOf } from '../model/network/network.js';
import { cmvnTransform } from '../ops/dsp/cmvn.js';
import { loadCheckpoint } from '../streams/io/checkpoint-file.js';
import { corpusEntries, corpusStates } from '../streams/corpora/corpus.js';
import { evaluate } from '../streams/training/evaluate.js';
import { frameAccuracy } from '../streams/pipeline/score.js';
import { integerOption } from './options.js';
import { progress } from './progress.js';

interface EvalCommandOptions {
  checkpoint: string;
  corpus: string;
  split: Split;
  limit?: number;
  json?: boolean;
  quiet?: boolean;
}

/** How many utterances of the split will be scored (for the progress bar). */
async function utteranceCount(corpus: string, split: Split, limit = Infinity): Promise<number> {
  let count = 0;
  for await (const { utterance } of corpusEntries(corpus, 'none')) {
    if (utterance.split === split && ++count >= limit) break;
  }
  return count;
}

/** `lstmp eval`: frame accuracy and loss of a checkpoint on a corpus split. */
export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('frame accuracy and loss of a trained model on a corpus split')
    .requiredOption('--checkpoint <ck.msgpack>', 'trained model')
    .requiredOption('--corpus <DIR>', 'corpus directory')
    .addOption(new Option('--split <split>', 'which split').choices(['train', 'dev', 'test']).default('dev'))
    .option('--limit <N>', 'score only the first N utterances', integerOption(1))
    .option('--json', 'print one JSON line {"frameAccuracy", "loss", "frames", "skipped"}')
    .option('--quiet', 'no progress output')
    .action(async (options: EvalCommandOptions) => {
      const checkpoint = loadCheckpoint(options.checkpoint);
      const states = corpusStates(options.corpus).length;
      if (checkpoint.config.outputs !== states) fail(`${options.checkpoint}: the network has ${checkpoint.config.outputs} outputs, the corpus ${states} states`);
      const quiet = options.quiet || options.json;
      const bar = progress({
        label: `eval ${options.split}`,
        total: await utteranceCount(options.corpus, options.split, options.limit),
        unit: 'utterances',
        quiet,
      });
      let done = 0;
      let skipped = 0;
      const score = await evaluate(options.corpus, networkOf(checkpoint.config, checkpoint.parameters), {
        split: options.split,
        normalisation: checkpoint.cmvn ? cmvnTransform(checkpoint.cmvn) : 'utterance',
        chunking: { streams: 4, steps: 20 },
        delay: checkpoint.delay ?? 0,
        limit: options.limit,
        reached: () => bar.update(++done),
        // a warning, not progress: shown even with --quiet or --json
        skipped: {
          next: ({ id, reason }) => {
            skipped++;
            if (quiet) process.stderr.write(`skipped ${id}: ${reason}\n`);
            else bar.log(`skipped ${id}: ${reason}`);
          },
        },
      }).finally(() => bar.stop());
      const loss = score.frames > 0 ? score.loss / score.frames : 0;
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ frameAccuracy: frameAccuracy(score), loss, frames: score.frames, skipped })}\n`);
      } else {
        const left = skipped === 0 ? '' : `, ${skipped} utterance${skipped === 1 ? '' : 's'} skipped`;
        process.stdout.write(`${options.split}: frame accuracy ${(100 * frameAccuracy(score)).toFixed(2)}%, loss ${loss.toFixed(4)} per frame over ${score.frames} frames${left}\n`);
      }
    });
}
