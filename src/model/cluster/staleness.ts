/**
 * Bounded staleness, the stale synchronous parallel model (Ho, Cipar, Cui,
 * Kim, Lee, Gibbons, Gibson, Ganger & Xing, "More effective distributed ML
 * via a stale synchronous parallel parameter server", NIPS 2013), as one
 * shard keeps it: each worker thread's clock counts its pushes, and a push
 * more than `bound` clocks ahead of the slowest thread waits for its reply
 * (so its thread waits before its next push). 0 is synchronous; Infinity
 * never waits, which is plain asynchronous SGD.
 *
 * Who counts: a thread that joins late starts level with the slowest (it
 * is not behind by the pushes it never made); one that leaves, or is not
 * heard from for `silentMs` (killed, or its machine gone), no longer holds
 * the others back. The slowest thread may always go, so no set of threads
 * can wait on one another for ever.
 */
export interface StalenessGate {
  readonly bound: number;
  readonly silentMs: number;
  /** each thread's clock and when it was last heard from, by `worker/thread` */
  readonly threads: Map<string, { clock: number; heard: number }>;
}

/** A gate letting pushes run at most `bound` clocks ahead of the slowest thread heard from within `silentMs`. */
export function stalenessGate(bound: number, silentMs: number): StalenessGate {
  return { bound, silentMs, threads: new Map() };
}

/** The slowest clock among the threads heard from within silentMs of `now` (Infinity when there are none). */
export function slowestClock(gate: StalenessGate, now: number): number {
  let slowest = Infinity;
  for (const { clock, heard } of gate.threads.values()) if (now - heard <= gate.silentMs && clock < slowest) slowest = clock;
  return slowest;
}

/**
 * A push of `thread` applied at `now`: its clock advances by one (a
 * newcomer, or one back from silence, comes in level with the slowest).
 * `again`: the push was sent again after a lost reply, and was not applied
 * again; the clock stays. Returns the thread's clock.
 */
export function pushed(gate: StalenessGate, thread: string, now: number, again = false): number {
  // Threads silent past silentMs are forgotten: each worker start has a new name, and a killed one never leaves.
  for (const [name, { heard }] of gate.threads) if (now - heard > gate.silentMs && name !== thread) gate.threads.delete(name);
  const known = gate.threads.get(thread);
  const present = known !== undefined && now - known.heard <= gate.silentMs;
  const slowest = slowestClock(gate, now);
  const clock = present ? known.clock + (again ? 0 : 1) : slowest === Infinity ? 1 : Math.max(1, slowest);
  gate.threads.set(thread, { clock, heard: now });
  return clock;
}

/** Whether a push that left its thread at `clock` may be answered at `now`: at most `bound` ahead of the slowest. */
export function mayAnswer(gate: StalenessGate, clock: number, now: number): boolean {
  return clock <= slowestClock(gate, now) + gate.bound;
}

/** The threads of `worker` are done: they hold no one back any more. */
export function left(gate: StalenessGate, worker: string): void {
  for (const thread of [...gate.threads.keys()]) if (thread.startsWith(`${worker}/`)) gate.threads.delete(thread);
}
