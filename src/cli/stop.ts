import { fromEvent, map, merge, ReplaySubject, take, type Observable } from 'rxjs';

/**
 * A request to end cleanly: the first SIGINT (Ctrl-C) or SIGTERM (`timeout`,
 * systemd, `docker stop`, Kubernetes), whichever comes first; every long
 * command treats them alike. It listens from the moment it is called (a
 * signal that came before any listener would end the process at once) and
 * tells subscribers that come later; after the first signal it stops
 * listening, so a second one ends the process at once, as by default.
 */
export function stopRequests(): Observable<NodeJS.Signals> {
  const on = (signal: NodeJS.Signals) => fromEvent(process, signal).pipe(map(() => signal));
  const requested = new ReplaySubject<NodeJS.Signals>(1);
  merge(on('SIGINT'), on('SIGTERM')).pipe(take(1)).subscribe(requested);
  return requested;
}
