import type { Command } from 'commander';
import { parameterCounts } from '../model/network/layout.js';
import { addShapeOptions, shapeFromOptions, type ShapeOptions } from './shape.js';

/** `lstmp params`: the paper's bias-free parameter count and the true total. */
export function registerParams(program: Command): void {
  addShapeOptions(program.command('params').description("print a network's parameter counts (paper formula and total with biases)"))
    .option('--json', 'print one JSON line {"paper": N, "total": M}')
    .action((options: ShapeOptions & { json?: boolean }) => {
      const counts = parameterCounts(shapeFromOptions(options));
      if (options.json) process.stdout.write(`${JSON.stringify(counts)}\n`);
      else process.stdout.write(`paper (no biases): ${counts.paper.toLocaleString('en-US')}\ntotal:             ${counts.total.toLocaleString('en-US')}\n`);
    });
}
