import { fail } from '../../errors.js';
import { readableByOthers, readText } from '../io/files.js';

/** The environment variable that holds the cluster's shared secret. */
export const SECRET_VARIABLE = 'LSTMP_SECRET';

/**
 * The shared secret every parameter-server call carries: from `file` when
 * given, else from $LSTMP_SECRET; never from the command line, where other
 * users of the machine could read it in the process list.
 */
export function readSecret(file: string | undefined, environment: NodeJS.ProcessEnv = process.env): string {
  const secret = file === undefined ? environment[SECRET_VARIABLE] : readText(file).trim();
  if (secret === undefined) return fail(`no shared secret: set ${SECRET_VARIABLE} or give --secret-file`);
  if (secret.length < 8) return fail(`${file ?? SECRET_VARIABLE}: the shared secret must be at least 8 characters`);
  return secret;
}

/** A warning for a secret file that other users of the machine can read, or null. */
export function secretFileWarning(file: string): string | null {
  return readableByOthers(file) ? `${file}: other users can read the shared secret (chmod 600 ${file})` : null;
}

/** Whether `host` (of HOST:PORT) is this machine's loopback, where nothing leaves the machine. */
export function isLoopback(host: string): boolean {
  const name = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}
