#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { DivergedError, InputError } from '../errors.js';
import { aliases, commands } from './commands.js';

/**
 * The `lstmp` command line. Each command lives in its own file and is listed
 * in commands.ts. Bad input ends with one line on stderr and exit code 2.
 */
async function main(argv: string[]): Promise<void> {
  const program = new Command('lstmp')
    .description('Train LSTM and LSTMP acoustic models (Sak, Senior & Beaufays 2014)')
    .exitOverride();
  // Only the command being run is loaded; help and unknown commands load them all.
  const name = argv[2] ?? '';
  const named = commands[aliases[name] ?? name];
  for (const load of named ? [named] : Object.values(commands)) (await load())(program);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    if (error instanceof InputError) {
      process.stderr.write(`lstmp: ${error.message}\n`);
      process.exit(2);
    }
    if (error instanceof DivergedError) {
      process.stderr.write(`lstmp: ${error.message}; the last good checkpoint is kept\n`);
      process.exit(1);
    }
    throw error;
  }
}

await main(process.argv);
