import { NEVER, Observable } from 'rxjs';

/** The environment variable in which `lstmp cluster` names itself (its pid) to the processes it starts. */
export const PARENT_VARIABLE = 'LSTMP_PARENT_PID';

/**
 * For a process that `lstmp cluster` started: emits once when the cluster is
 * gone. Killed with SIGKILL, the cluster cannot stop its processes itself;
 * each process notices within `every` ms (its parent changes) and stops, a
 * shard after saving its state. From the start, output to the cluster's pipes
 * is dropped once nobody reads it (EPIPE), instead of ending the process
 * before it has saved. Never emits for a process started any other way, and
 * never keeps the process alive by itself.
 */
export function parentGone(environment: NodeJS.ProcessEnv = process.env, every = 1000): Observable<void> {
  const parent = Number(environment[PARENT_VARIABLE]);
  if (!Number.isSafeInteger(parent) || parent <= 0) return NEVER;
  for (const stream of [process.stdout, process.stderr]) stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
  return new Observable<void>((subscriber) => {
    const watch = setInterval(() => {
      if (process.ppid === parent) return;
      subscriber.next();
      subscriber.complete();
    }, every);
    // Watching never keeps the process alive by itself.
    watch.unref();
    return () => clearInterval(watch);
  });
}
