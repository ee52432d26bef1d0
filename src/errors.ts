/**
 * An error the user can act on: bad input, a missing file, a corrupt
 * checkpoint. The CLI prints its one-line message and exits with code 2;
 * anything else is a bug and keeps its stack trace.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** Throws a {@link InputError} with `message`. */
export function fail(message: string): never {
  throw new InputError(message);
}

/** The value of a Right, or a {@link InputError} carrying the Left's words, prefixed by `what`. */
export function orFail<A>(either: { _tag: 'Left'; left: string } | { _tag: 'Right'; right: A }, what?: string): A {
  if (either._tag === 'Left') fail(what ? `${what}: ${either.left}` : either.left);
  return either.right;
}

/** A loss or gradient that is no longer a number: training must stop. */
export class DivergedError extends Error {
  override readonly name = 'DivergedError';
}
