/**
 * Counts the frames trained on, which drive the learning-rate schedule, and
 * holds the frames the run plans to train on in all (0: unknown), which an
 * annealing schedule decays over. The shared clock lets Hogwild threads
 * (each with its own pipeline) agree on one schedule position without locks.
 */
export interface FrameClock {
  /** adds `frames` and returns the total before them */
  advance(frames: number): number;
  readonly frames: number;
  /** the frames the whole run plans to train (0: not known) */
  readonly planned: number;
  /** sets the plan: a run with a time budget revises it as it learns how fast it goes */
  plan(frames: number): void;
}

/** A clock for one thread. */
export function localClock(start = 0, planned = 0): FrameClock {
  let frames = start;
  let plan = planned;
  return {
    advance(n) {
      const before = frames;
      frames += n;
      return before;
    },
    get frames() {
      return frames;
    },
    get planned() {
      return plan;
    },
    plan(n) {
      plan = n;
    },
  };
}

/** Bytes a shared clock needs: the frames seen and the frames planned. */
export const CLOCK_BYTES = 16;

/** A clock in shared memory ({@link CLOCK_BYTES} bytes): every thread given the same buffer shares it. */
export function sharedClock(buffer: SharedArrayBuffer): FrameClock {
  const cells = new BigInt64Array(buffer, 0, 2);
  return {
    advance: (n) => Number(Atomics.add(cells, 0, BigInt(Math.round(n)))),
    get frames() {
      return Number(Atomics.load(cells, 0));
    },
    get planned() {
      return Number(Atomics.load(cells, 1));
    },
    plan(n) {
      Atomics.store(cells, 1, BigInt(Math.max(0, Math.round(n))));
    },
  };
}
