#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { DivergedError, InputError } from '../errors.js';
import { fileProblem } from '../streams/io/files.js';
import { aliases, commands } from './commands.js';
import { enableRelaxedSimd } from './relaxed-simd.js';

/**
 * The one line an error the user can act on gets: bad input, or a file the
 * system refused (a read-only folder, a full disk) wherever a command met it.
 * Null for a bug, which keeps its stack trace.
 */
function userMessage(error: unknown): string | null {
  if (error instanceof InputError || error instanceof DivergedError) return error.message;
  const system = error as NodeJS.ErrnoException;
  if (error instanceof Error && typeof system.code === 'string' && typeof system.path === 'string') return `${system.path}: ${fileProblem(error)} (${system.syscall ?? 'file system'})`;
  return null;
}

/** Ends the process for an error: one line and exit 2 for the user's errors, 1 for a diverged run, the stack trace and 1 for a bug. */
function exitFor(error: unknown): never {
  const message = userMessage(error);
  if (message === null) {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  }
  process.stderr.write(`lstmp: ${message}\n`);
  process.exit(error instanceof DivergedError ? 1 : 2);
}

/**
 * Drops Node's DEP0123 ("Setting the TLS ServerName to an IP address is not
 * permitted by RFC 6066"): gRPC sets it for every shard given by its IP
 * address, the certificate is still checked against that address, and the
 * warning gives the user nothing to do. Every other warning is shown.
 */
function ignoreIpServerNameWarning(): void {
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((...args: unknown[]) => {
    const [, type, code] = args;
    const named = typeof type === 'object' && type !== null ? (type as { code?: string }).code : code;
    if (named !== 'DEP0123') emit(...args);
  }) as typeof process.emitWarning;
}

/**
 * The `lstmp` command line. Each command lives in its own file and is listed
 * in commands.ts. Bad input ends with one line on stderr and exit code 2,
 * whether a command's action throws it or a timer or event handler does.
 */
async function main(argv: string[]): Promise<void> {
  process.on('uncaughtException', exitFor);
  ignoreIpServerNameWarning();
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
    exitFor(error);
  }
}

// Before any module compiles: commands are loaded by main, and they make the kernels.
enableRelaxedSimd();
await main(process.argv);
