/**
 * Counts the frames trained on, which drive the learning-rate schedule. The
 * shared clock lets Hogwild threads (each with its own pipeline) agree on one
 * schedule position without locks.
 */
export interface FrameClock {
  /** adds `frames` and returns the total before them */
  advance(frames: number): number;
  readonly frames: number;
}

/** A clock for one thread. */
export function localClock(start = 0): FrameClock {
  let frames = start;
  return {
    advance(n) {
      const before = frames;
      frames += n;
      return before;
    },
    get frames() {
      return frames;
    },
  };
}

/** A clock in shared memory (8 bytes): every thread given the same buffer shares it. */
export function sharedClock(buffer: SharedArrayBuffer): FrameClock {
  const cell = new BigInt64Array(buffer, 0, 1);
  return {
    advance: (n) => Number(Atomics.add(cell, 0, BigInt(Math.round(n)))),
    get frames() {
      return Number(Atomics.load(cell, 0));
    },
  };
}
