import { Observable, type OperatorFunction, type Subscriber } from 'rxjs';

/** What a stage does with each value of its source, and at its end. */
export interface StageHandlers<In> {
  /** one value of the source; emit with `subscriber.next` */
  next(value: In): void;
  /** the source completed: emit what is held back, then `subscriber.complete()` (the default does only that) */
  complete?(): void;
}

/**
 * Writes a stage the way RxJS writes its own operators
 * (`operate` + `createOperatorSubscriber`): `init` runs once per
 * subscription, sets up that subscription's state (and its teardown, with
 * `subscriber.add`) and returns the handlers. Whatever a handler throws
 * reaches the subscriber as an error notification, never RxJS's unhandled
 * error path, and once the subscriber is closed the source's remaining
 * values are ignored. Source errors pass through.
 *
 * @example
 * // running sums, restarted on every subscription
 * const sums = operate<number, number>((subscriber) => {
 *   let total = 0;
 *   return { next: (x) => subscriber.next((total += x)) };
 * });
 * of(1, 2, 3).pipe(sums).subscribe(console.log); // 1, 3, 6
 */
export function operate<In, Out>(init: (subscriber: Subscriber<Out>) => StageHandlers<In>): OperatorFunction<In, Out> {
  return (source) =>
    new Observable<Out>((subscriber) => {
      let handlers: StageHandlers<In>;
      try {
        handlers = init(subscriber);
      } catch (error) {
        subscriber.error(error);
        return;
      }
      const guarded = (run: () => void) => {
        if (subscriber.closed) return;
        try {
          run();
        } catch (error) {
          subscriber.error(error);
        }
      };
      subscriber.add(
        source.subscribe({
          next: (value) => guarded(() => handlers.next(value)),
          error: (error: unknown) => subscriber.error(error),
          complete: () => guarded(() => (handlers.complete ? handlers.complete() : subscriber.complete())),
        }),
      );
    });
}
