import { TestScheduler, type RunHelpers } from 'rxjs/testing';

/**
 * What an expected error notification must look like: an instance of `kind`
 * whose message equals `message` (a string) or matches it (a RegExp). Use it
 * as the error argument of `expectObservable(...).toBe(marbles, values, error)`
 * inside {@link runMarbles}, where the error a stage throws is a new object
 * each run and could never be the same one.
 */
export class ErrorLike {
  constructor(
    readonly kind: abstract new (...args: never[]) => Error,
    readonly message?: string | RegExp,
  ) {}

  matches(error: unknown): boolean {
    if (!(error instanceof this.kind)) return false;
    if (this.message === undefined) return true;
    return typeof this.message === 'string' ? error.message === this.message : this.message.test(error.message);
  }

  toString(): string {
    return `${this.kind.name}${this.message === undefined ? '' : ` with message ${typeof this.message === 'string' ? JSON.stringify(this.message) : this.message}`}`;
  }
}

/** An {@link ErrorLike}: `errorLike(RangeError, /does not fit/)`. */
export function errorLike(kind: abstract new (...args: never[]) => Error, message?: string | RegExp): ErrorLike {
  return new ErrorLike(kind, message);
}

/**
 * Runs a marble test on a fresh RxJS `TestScheduler` (virtual time: no
 * waiting) and returns what `run` returns. Emissions, subscriptions and
 * errors are compared by value: arrays, typed arrays and plain objects
 * element by element, errors by class and message, and an expected error
 * given as {@link errorLike} by its shape. A difference throws an Error
 * listing both timelines, one notification per line, so any test runner (or
 * none) reports it.
 *
 * @example
 * import { map } from 'rxjs';
 * runMarbles(({ cold, expectObservable }) => {
 *   const doubled = cold('a-b-|', { a: 1, b: 2 }).pipe(map((x) => 2 * x));
 *   expectObservable(doubled).toBe('a-b-|', { a: 2, b: 4 });
 * });
 */
export function runMarbles<T>(run: (helpers: RunHelpers) => T): T {
  return new TestScheduler(assertSameMarbles).run(run);
}

/** The comparison {@link runMarbles} gives its TestScheduler: throws unless `actual` and `expected` are equal by value. */
export function assertSameMarbles(actual: unknown, expected: unknown): void {
  if (sameValue(actual, expected)) return;
  throw new Error(`marbles differ:\n  actual:\n${timeline(actual)}\n  expected:\n${timeline(expected)}`);
}

/**
 * Deep equality by value: numbers by `Object.is` (NaN equals NaN, 0 and −0
 * differ), arrays and typed arrays element by element, errors by class and
 * message, other objects by prototype and own enumerable properties; an
 * expected {@link ErrorLike} matches any error of its shape.
 */
export function sameValue(actual: unknown, expected: unknown): boolean {
  if (expected instanceof ErrorLike) return expected.matches(actual);
  if (Object.is(actual, expected)) return true;
  if (typeof actual !== 'object' || typeof expected !== 'object' || actual === null || expected === null) return false;
  if (Object.getPrototypeOf(actual) !== Object.getPrototypeOf(expected)) return false;
  if (actual instanceof Error) return actual.message === (expected as Error).message;
  if (ArrayBuffer.isView(actual)) {
    const [a, e] = [actual as unknown as ArrayLike<unknown>, expected as unknown as ArrayLike<unknown>];
    return a.length === e.length && Array.prototype.every.call(a, (v: unknown, i: number) => Object.is(v, e[i]));
  }
  if (actual instanceof Map || actual instanceof Set) return sameValue([...actual], [...(expected as Map<unknown, unknown> | Set<unknown>)]);
  const keys = Object.keys(actual);
  const expectedKeys = Object.keys(expected);
  if (keys.length !== expectedKeys.length) return false;
  return keys.every((key) => Object.prototype.hasOwnProperty.call(expected, key) && sameValue((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key]));
}

/** A TestScheduler's messages (or subscription logs), one per line. */
function timeline(messages: unknown): string {
  if (!Array.isArray(messages)) return `    ${show(messages)}`;
  if (messages.length === 0) return '    (nothing)';
  return messages.map((m) => `    ${describeMessage(m)}`).join('\n');
}

function describeMessage(message: unknown): string {
  const m = message as { frame?: number; notification?: { kind: string; value?: unknown; error?: unknown }; subscribedFrame?: number; unsubscribedFrame?: number };
  if (m.notification !== undefined && m.frame !== undefined) {
    const { kind, value, error } = m.notification;
    const what = kind === 'N' ? `next ${show(value)}` : kind === 'E' ? `error ${show(error)}` : 'complete';
    return `frame ${m.frame}: ${what}`;
  }
  if (m.subscribedFrame !== undefined) return `subscribed at frame ${m.subscribedFrame}, unsubscribed at ${m.unsubscribedFrame === Infinity ? 'never' : `frame ${m.unsubscribedFrame}`}`;
  return show(message);
}

function show(value: unknown): string {
  if (value instanceof ErrorLike) return `an error like ${value}`;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value !== 'object' || value === null) return String(value);
  if (ArrayBuffer.isView(value)) return `${value.constructor.name} [${Array.from(value as unknown as ArrayLike<number>).join(', ')}]`;
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  return `{ ${Object.entries(value).map(([key, v]) => `${key}: ${show(v)}`).join(', ')} }`;
}
