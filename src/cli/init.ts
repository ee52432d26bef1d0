import type { Command } from 'commander';
import { INIT_RANGE, initParameters } from '../model/init.js';
import { saveCheckpoint } from '../streams/checkpoint-file.js';
import { integerOption } from './options.js';
import { positiveOption } from './training-options.js';
import { addShapeOptions, shapeFromOptions, type ShapeOptions } from './shape.js';

/** `lstmp init`: a new checkpoint with the paper's random initialisation; the same seed gives the same file. */
export function registerInit(program: Command): void {
  addShapeOptions(program.command('init').description(`write a new checkpoint, weights uniform in (-${INIT_RANGE}, ${INIT_RANGE})`))
    .option('--seed <S>', 'random seed', integerOption(0), 1)
    .option('--init-range <r>', `weights uniform in (-r, r) (the paper: ${INIT_RANGE})`, positiveOption, INIT_RANGE)
    .requiredOption('--out <file>', 'checkpoint to write (.msgpack)')
    .action((options: ShapeOptions & { seed: number; initRange: number; out: string }) => {
      const config = shapeFromOptions(options);
      saveCheckpoint(options.out, { config, parameters: initParameters(config, options.seed, options.initRange) });
    });
}
