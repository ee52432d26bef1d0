import type { Command } from 'commander';
import { encodeGradients } from '../model/formats/gradients.js';
import { layoutOf, viewsOf } from '../model/network/layout.js';
import { backward, createWorkspace, forward, zeroState } from '../ops/nn/lstmp.js';
import { loadCheckpoint } from '../streams/io/checkpoint-file.js';
import { writeAtomic } from '../streams/io/files.js';
import { readFeatures, readTargets } from './inputs.js';
import { portableKernels } from '../ops/kernels/portable/portable-kernels.js';

/** `lstmp bptt`: the loss of one chunk and its gradient for every tensor, from a zero state. */
export function registerBptt(program: Command): void {
  program
    .command('bptt')
    .description('write the summed cross-entropy loss of one chunk and its gradient for every tensor')
    .requiredOption('--checkpoint <file>', 'network checkpoint (.msgpack)')
    .requiredOption('--features <file>', 'float32 .npy [T, B, I], or [T, I] for one stream')
    .requiredOption('--targets <file>', 'int32 .npy [T, B], or [T] for one stream')
    .option('--mask <file>', "float32 .npy of the targets' shape: each frame's weight in the loss (default all 1)")
    .requiredOption('--out <file>', 'gradients to write (.msgpack)')
    .action((options: { checkpoint: string; features: string; targets: string; mask?: string; out: string }) => {
      const { config, parameters } = loadCheckpoint(options.checkpoint);
      const x = readFeatures(options.features, config, true);
      const { targets, mask } = readTargets(options.targets, options.mask, x, config.outputs);

      const ws = createWorkspace(config, x.steps, x.streams);
      const weights = viewsOf(config, parameters);
      forward(portableKernels, config, weights, x.data, zeroState(config, x.streams), null, ws);
      const gradients = new Float32Array(layoutOf(config).size);
      const loss = backward(portableKernels, config, weights, x.data, targets, mask, ws, viewsOf(config, gradients));
      const frames = mask.reduce((sum, m) => sum + m, 0);
      writeAtomic(options.out, encodeGradients(config, { loss, frames, gradients }));
    });
}
