import type { Command } from 'commander';
import { registerParams } from './params.js';

/** Every CLI command, each adding itself to the program. */
export const commands: readonly ((program: Command) => void)[] = [registerParams];
