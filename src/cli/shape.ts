import type { Command } from 'commander';
import { decodeModelConfig, type ModelConfig } from '../model/network/config.js';
import { orFail } from '../errors.js';
import { integerOption, numberOption } from './options.js';

/** The network-shape options shared by params, init and train. */
export interface ShapeOptions {
  inputs: number;
  cells: number;
  projection?: number;
  layers: number;
  outputs: number;
  cellClip?: number;
  peepholes?: boolean;
}

export function addShapeOptions(command: Command): Command {
  return command
    .requiredOption('--inputs <I>', 'input features per frame', integerOption(1))
    .requiredOption('--cells <C>', 'memory cells per layer', integerOption(1))
    .option('--projection <P>', 'recurrent projection units (0 = plain LSTM)', integerOption(0), 0)
    .requiredOption('--layers <L>', 'LSTM layers', integerOption(1))
    .requiredOption('--outputs <O>', 'output states (softmax size)', integerOption(1))
    .option('--cell-clip <x>', 'clip cell states to [-x, x]', numberOption, 50)
    .option('--no-peepholes', 'no peephole connections');
}

export function shapeFromOptions(options: ShapeOptions): ModelConfig {
  const { inputs, cells, projection, layers, outputs, cellClip, peepholes } = options;
  return orFail(decodeModelConfig({ inputs, cells, projection, layers, outputs, cellClip, peepholes }));
}
