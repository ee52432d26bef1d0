import { parentPort, Worker, workerData } from 'node:worker_threads';
import { DivergedError, InputError } from '../../errors.js';

/**
 * Starts the worker thread whose entry script is `name` (without extension),
 * beside the module at `from` (its import.meta.url), with `data` as its
 * `workerData` and, when given, a larger stack than a thread's default 4 MB
 * (`limits`). Built, the entry is the `.js` beside the caller; run from
 * the TypeScript sources (as under vitest), the thread loads the entry's
 * source through tsx, so threads run the same code as their caller.
 *
 * @example
 * const thread = startThread('training-thread', import.meta.url, setup)
 */
export function startThread(name: string, from: string, data?: unknown, limits?: { readonly stackSizeMb: number }): Worker {
  const fromSource = from.endsWith('.ts');
  const entry = new URL(`./${name}.${fromSource ? 'ts' : 'js'}`, from);
  const options = { workerData: data, ...(limits && { resourceLimits: limits }) };
  if (!fromSource) return new Worker(entry, options);
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  return new Worker(`import(${tsx}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`, { eval: true, ...options });
}

/** Why a thread stopped early, as it tells its parent: the kind of error and its words (a bug's with its stack). */
export interface ThreadFailure {
  readonly type: 'failed';
  readonly kind: 'input' | 'diverged' | 'bug';
  readonly message: string;
}

/** An error thrown in a thread, as a message its parent can turn back into the same kind of error. */
export function threadFailure(error: unknown): ThreadFailure {
  const kind = error instanceof DivergedError ? 'diverged' : error instanceof InputError ? 'input' : 'bug';
  const message = error instanceof Error ? (kind === 'bug' ? String(error.stack ?? error.message) : error.message) : String(error);
  return { type: 'failed', kind, message };
}

/** The error a {@link ThreadFailure} stands for, in the parent: the user's errors keep their class, so the CLI prints one line for them. */
export function errorOf(failure: ThreadFailure): Error {
  return failure.kind === 'input' ? new InputError(failure.message) : failure.kind === 'diverged' ? new DivergedError(failure.message) : new Error(failure.message);
}

/**
 * Watches a thread for the ways it can fail besides a failure message: an
 * error event (a throw its entry did not catch) or an exit with a non-zero
 * code while it was still wanted. `what` names it in messages.
 */
export function onThreadFailure(thread: Worker, what: string, failed: (error: Error) => void, wanted: () => boolean = () => true): void {
  thread.on('error', failed);
  thread.on('exit', (code) => {
    if (code !== 0 && wanted()) failed(new Error(`${what} exited with code ${code}`));
  });
}

/**
 * A thread's entry: runs `body` on the thread's `workerData` with a way to
 * post messages to the parent, then posts `{ type: 'done' }`, or the
 * {@link ThreadFailure} of whatever it threw.
 *
 * @example
 * runThread<TrainingThreadSetup, TrainingThreadMessage>(async (setup, post) => { ... })
 */
export function runThread<Setup, Message>(body: (setup: Setup, post: (message: Message) => void) => Promise<void>): void {
  const port = parentPort!;
  const post = (message: Message | ThreadFailure | { readonly type: 'done' }) => port.postMessage(message);
  body(workerData as Setup, post).then(
    () => post({ type: 'done' }),
    (error: unknown) => post(threadFailure(error)),
  );
}
