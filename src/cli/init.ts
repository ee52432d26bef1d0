import type { Command } from 'commander';
import { initParameters } from '../model/network/init.js';
import { TRAINING_PRESETS } from '../model/network/presets.js';
import { saveCheckpoint } from '../streams/io/checkpoint-file.js';
import { integerOption } from './options.js';
import { addPresetOption, positiveOption, type PresetOptions } from './training-options.js';
import { addShapeOptions, shapeFromOptions, type ShapeOptions } from './shape.js';

/** `lstmp init`: a new checkpoint with random weights, as train and cluster start; the same seed gives the same file. */
export function registerInit(program: Command): void {
  const { default: fast, paper } = TRAINING_PRESETS;
  addPresetOption(addShapeOptions(program.command('init').description('write a new checkpoint, weights uniform in (-r, r)')))
    .option('--seed <S>', 'random seed', integerOption(0), 1)
    .option('--init-range <r>', `weights uniform in (-r, r) (default: ${fast.initRange}; --preset paper: ${paper.initRange})`, positiveOption)
    .requiredOption('--out <file>', 'checkpoint to write (.msgpack)')
    .action((options: ShapeOptions & PresetOptions & { seed: number; initRange?: number; out: string }) => {
      const config = shapeFromOptions(options);
      const range = options.initRange ?? TRAINING_PRESETS[options.preset].initRange;
      saveCheckpoint(options.out, { config, parameters: initParameters(config, options.seed, range) });
    });
}
