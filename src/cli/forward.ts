import type { Command } from 'commander';
import { viewsOf } from '../model/network/layout.js';
import { chunkedForward } from '../ops/nn/chunked-forward.js';
import { loadCheckpoint } from '../streams/io/checkpoint-file.js';
import { writeNpy } from '../streams/io/npy-file.js';
import { readFeatures } from './inputs.js';
import { integerOption } from './options.js';
import { portableKernels } from '../ops/kernels/portable/portable-kernels.js';

/** `lstmp forward`: the log-posteriors of one utterance, from a zero state. */
export function registerForward(program: Command): void {
  program
    .command('forward')
    .description('write the log-posteriors [T, O] of one utterance of features [T, I]')
    .requiredOption('--checkpoint <file>', 'network checkpoint (.msgpack)')
    .requiredOption('--features <file>', 'float32 .npy [T, I]')
    .requiredOption('--out <file>', 'float32 .npy [T, O] to write')
    .option('--chunk <steps>', 'steps per forward pass (bounds memory; the result does not depend on it)', integerOption(1), 256)
    .action((options: { checkpoint: string; features: string; out: string; chunk: number }) => {
      const { config, parameters } = loadCheckpoint(options.checkpoint);
      const x = readFeatures(options.features, config, false);
      const logp = chunkedForward(portableKernels, config, viewsOf(config, parameters), x.data, x.steps, options.chunk);
      writeNpy(options.out, { dtype: 'float32', shape: [x.steps, config.outputs], data: logp });
    });
}
