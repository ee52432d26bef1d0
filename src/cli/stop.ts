import { fromEvent, map, merge, take, type Observable } from 'rxjs';

/**
 * A request to end cleanly: the first SIGINT (Ctrl-C) or SIGTERM (`timeout`,
 * systemd, `docker stop`, Kubernetes), whichever comes first; every long
 * command treats them alike. It emits the signal's name once, then stops
 * listening, so a second signal ends the process at once, as by default.
 */
export function stopRequests(): Observable<NodeJS.Signals> {
  const on = (signal: NodeJS.Signals) => fromEvent(process, signal).pipe(map(() => signal));
  return merge(on('SIGINT'), on('SIGTERM')).pipe(take(1));
}
