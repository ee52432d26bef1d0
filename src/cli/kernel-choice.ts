import { fail } from '../errors.js';
import { resolveKernels, type KernelChoice, type KernelName } from '../ops/kernels/choice.js';

/**
 * The kernel set `--kernels` means on this machine. `auto` that cannot be
 * native falls back to wasm with one line on stderr saying why; `native`
 * where the addon is not built or the CPU cannot run it is bad input (one
 * line, exit code 2).
 */
export function kernelsFor(choice: KernelChoice, say = (line: string) => void process.stderr.write(`${line}\n`)): KernelName {
  const { name, fallback, unavailable } = resolveKernels(choice);
  if (unavailable) fail(`--kernels native: the native kernels are unavailable here (${unavailable})`);
  if (fallback) say(`lstmp: native kernels unavailable (${fallback}); using wasm`);
  return name;
}
