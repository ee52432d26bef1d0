import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const main = join(repoRoot, 'dist', 'cli', 'main.js');
const lock = join(repoRoot, 'dist', '.cli-build-lock');

/**
 * Builds dist/ unless its main.js is newer than every file in src/. Test files run in
 * parallel workers, so the check and build hold a lock: a second worker waits,
 * then finds the build fresh, and never rewrites dist/ under a running CLI.
 */
export function buildCli(): void {
  mkdirSync(join(repoRoot, 'dist'), { recursive: true });
  const waitUntil = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > waitUntil) rmSync(lock, { recursive: true, force: true }); // a crashed builder's lock
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    if (newestSource(join(repoRoot, 'src')) < modified(main)) return;
    // tsc emits despite type errors (the typecheck step reports those); only a build that emitted nothing stops the tests.
    const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: repoRoot, encoding: 'utf8' });
    if (build.status !== 0 && !existsSync(main)) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * `stderr` without the one line a host adds where the native kernels are not
 * built or cannot run (`--kernels auto` falling back to wasm, as it should):
 * what a test compares is then the same on every machine. The line for
 * LSTMP_NATIVE=0 stays: tests that turn the native kernels off look for it.
 */
export function withoutHostNotice(stderr: string): string {
  return stderr.replace(/^lstmp: native kernels unavailable \((?!turned off by LSTMP_NATIVE=0)[^\n]*\); using wasm\n/gm, '');
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/cli/main.js ...args` in `cwd`; several may run at once (`it.concurrent`). */
export function runCli(args: readonly string[], cwd = repoRoot, options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((done, failed) => {
    // SIGKILL at the timeout: SIGTERM asks a training command to finish cleanly, which a hung one never does.
    const child = spawn(process.execPath, [main, ...args], { cwd, timeout: options.timeoutMs ?? 60_000, killSignal: 'SIGKILL', env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', failed);
    child.on('close', (status) => done({ status, stdout, stderr: withoutHostNotice(stderr) }));
  });
}

/** A CLI process started by {@link startCli}. */
export interface RunningCli {
  readonly child: ChildProcess;
  /** resolves once stderr holds a line matching `pattern`; rejects if the process ends first */
  stderrLine(pattern: RegExp): Promise<string>;
  /** resolves with what {@link runCli} would, once the process has ended */
  readonly ended: Promise<CliResult>;
}

/** Starts `node dist/cli/main.js ...args` and follows its output, to act on it while it runs (a signal once it trains). */
export function startCli(args: readonly string[], cwd = repoRoot, options: { env?: NodeJS.ProcessEnv } = {}): RunningCli {
  const child = spawn(process.execPath, [main, ...args], { cwd, env: options.env ?? process.env });
  let stdout = '';
  let stderr = '';
  let closed = false;
  const waiting: { pattern: RegExp; resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  const check = () => {
    for (const waiter of [...waiting]) {
      const line = stderr.split('\n').find((text) => waiter.pattern.test(text));
      if (line !== undefined) {
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.resolve(line);
      } else if (closed) {
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.reject(new Error(`the command ended without a line matching ${waiter.pattern}: ${stderr}`));
      }
    }
  };
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
    check();
  });
  const ended = new Promise<CliResult>((done) =>
    child.on('close', (status) => {
      closed = true;
      check();
      done({ status, stdout, stderr: withoutHostNotice(stderr) });
    }),
  );
  return {
    child,
    stderrLine: (pattern) =>
      new Promise((resolve, reject) => {
        waiting.push({ pattern, resolve, reject });
        check();
      }),
    ended,
  };
}

/** When `path` was last written, or −∞ if it does not exist. */
function modified(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -Infinity;
  }
}

function newestSource(dir: string): number {
  let newest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Exit code 2, nothing on stdout, and one stderr line `lstmp: <file>: <reason>`; returns the reason. */
export function refusalNaming(result: CliResult, file: string): string {
  const lines = result.stderr.split('\n');
  const prefix = `lstmp: ${file}: `;
  if (result.status !== 2 || result.stdout !== '' || lines.length !== 2 || lines[1] !== '' || !lines[0].startsWith(prefix)) {
    throw new Error(`expected exit 2 and one line "${prefix}…", got exit ${result.status}, stdout ${JSON.stringify(result.stdout)}, stderr ${JSON.stringify(result.stderr)}`);
  }
  return lines[0].slice(prefix.length);
}
