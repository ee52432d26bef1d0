import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fail } from '../errors.js';
import { networkOf } from '../model/network/network.js';
import { cmvnTransform } from '../ops/dsp/cmvn.js';
import { explainPage } from '../report/explain.js';
import { loadCheckpoint } from '../streams/io/checkpoint-file.js';
import { traceChunk } from '../streams/training/chunk-trace.js';
import { corpusStates } from '../streams/corpora/corpus.js';
import { writeAtomic } from '../streams/io/files.js';
import { findUtterance } from '../streams/corpora/find-utterance.js';
import { integerOption } from './options.js';

interface ExplainOptions {
  checkpoint: string;
  corpus: string;
  utterance: string;
  out: string;
  steps: number;
  chunk: number;
}

/** `lstmp explain`: one chunk of truncated BPTT laid open as an HTML page. */
export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description('a teaching page: one chunk of one utterance through forward and truncated BPTT (gates, cells, loss, gradient norms)')
    .requiredOption('--checkpoint <ck.msgpack>', 'trained (or initialised) model')
    .requiredOption('--corpus <DIR>', 'corpus directory holding the utterance')
    .requiredOption('--utterance <ID>', 'utterance id (any split)')
    .requiredOption('--out <explain.html>', 'where to write the page')
    .option('--steps <T>', 'steps per chunk, as in training', integerOption(1), 20)
    .option('--chunk <K>', 'which chunk of the utterance, from 0 (the state is carried in from the chunks before)', integerOption(0), 0)
    .action(async (options: ExplainOptions) => {
      const checkpoint = loadCheckpoint(options.checkpoint);
      const { config } = checkpoint;
      const states = checkpoint.states ?? (existsSync(join(options.corpus, 'states.txt')) ? corpusStates(options.corpus) : undefined);
      if (states && states.length !== config.outputs) fail(`${options.checkpoint}: the network has ${config.outputs} outputs, the corpus ${states.length} states`);
      const utterance = await findUtterance(options.corpus, options.utterance, {
        normalisation: checkpoint.cmvn ? cmvnTransform(checkpoint.cmvn) : 'utterance',
        bins: config.inputs,
      });
      const trace = await traceChunk(networkOf(config, checkpoint.parameters), utterance, { steps: options.steps, index: options.chunk, delay: checkpoint.delay ?? 0 });
      writeAtomic(options.out, explainPage(trace, { checkpoint: options.checkpoint, corpus: options.corpus, states }));
      process.stdout.write(`${options.out}\n`);
    });
}
