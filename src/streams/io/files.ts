import { randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, createReadStream, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fail } from '../../errors.js';

/**
 * What went wrong with a file, in words: `no such file`, `is a directory`,
 * `permission denied`, or the system's code. One wording for every command.
 */
export function fileProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return code ?? String((error as Error).message);
  }
}

/** Reads a whole file, or fails with a one-line message naming it. */
export function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    return fail(`${path}: ${fileProblem(error)}`);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads a whole UTF-8 text file; bytes that are not UTF-8 fail naming the file, as a missing file does. */
export function readText(path: string): string {
  const bytes = readBytes(path);
  try {
    return utf8.decode(bytes);
  } catch {
    return fail(`${path}: not UTF-8 text`);
  }
}

/** Reads a JSON file that must hold an object, or fails naming the file and what is wrong. */
export function readJsonObject(path: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(readText(path));
  } catch (error) {
    if (error instanceof SyntaxError) fail(`${path}: not JSON (${error.message})`);
    throw error;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(`${path}: expected a JSON object`);
  return value as Record<string, unknown>;
}

/** The lines of a UTF-8 text file, read lazily (bounded memory, whatever the file's size); a missing file fails naming it. */
export async function* readLines(path: string): AsyncGenerator<string> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  try {
    await opened;
  } catch (error) {
    fail(`${path}: ${fileProblem(error)}`);
  }
  yield* createInterface({ input: stream, crlfDelay: Infinity });
}

/**
 * Writes a file atomically and durably: to a temporary file beside it, synced
 * to the disk, then renamed over the target, and the rename synced with its
 * directory. A reader never sees half a file; a crash, or a power cut, leaves
 * the old file or the new one. A refusal (no such directory, a full disk)
 * fails in one line naming the file, and leaves no temporary file behind.
 */
export function writeAtomic(path: string, data: Uint8Array | string): void {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fd = openSync(temp, 'w');
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    // The temporary file may not exist (its directory is missing, or is a file): nothing to remove then.
    try {
      rmSync(temp, { force: true });
    } catch {
      // nothing was written
    }
    fail(`${path}: cannot write (${errorCode(error)})`);
  }
  syncDirectory(dirname(path));
}

/** Makes a rename in `dir` durable; a file system that cannot sync a directory is left as it is. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EISDIR' && code !== 'EPERM' && code !== 'EACCES') fail(`${dir}: cannot sync the directory (${errorCode(error)})`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Appends text to a file (made if missing), or fails with a one-line message naming it (a full disk, a directory in its place). */
export function appendText(path: string, text: string): void {
  try {
    appendFileSync(path, text);
  } catch (error) {
    fail(`${path}: cannot append (${errorCode(error)})`);
  }
}

/** The system's code for a file error (ENOSPC, EACCES, …), or its message. */
function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String((error as Error).message);
}

/** Makes a directory and its parents, or fails with a one-line message naming it. */
export function makeDirectory(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (error) {
    fail(`${path}: cannot create the directory (${errorCode(error)})`);
  }
}

/** Removes a file if it is there, or fails with a one-line message naming it. */
export function removeFile(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch (error) {
    fail(`${path}: cannot remove it (${errorCode(error)})`);
  }
}

/** The names in a directory (none when there is no such directory), or a one-line failure naming it. */
export function listDirectory(path: string): string[] {
  try {
    return readdirSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    return fail(`${path}: ${fileProblem(error)}`);
  }
}

/** Whether users other than its owner may read a file (its group or everyone): what a file holding a secret must not allow. */
export function readableByOthers(path: string): boolean {
  try {
    return (statSync(path).mode & 0o044) !== 0;
  } catch (error) {
    return fail(`${path}: ${fileProblem(error)}`);
  }
}
