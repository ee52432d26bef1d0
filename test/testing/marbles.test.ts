import fc from 'fast-check';
import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { operate } from '../../src/streams/pipeline/operate.js';
import { errorLike, runMarbles, sameValue } from '../../src/testing/marbles.js';

/** A stage that refuses negative numbers. */
const positive = operate<number, number>((subscriber) => ({
  next: (x) => {
    if (x < 0) throw new RangeError(`${x} is negative`);
    subscriber.next(x);
  },
}));

describe('runMarbles', () => {
  it('passes when the timelines agree, values compared by value, and returns what its callback returns', () => {
    const result = runMarbles(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-b-|', { a: 1, b: 2 });
      expectObservable(source.pipe(map((x) => ({ x, half: Float32Array.of(x / 2) })))).toBe('a-b-|', { a: { x: 1, half: Float32Array.of(0.5) }, b: { x: 2, half: Float32Array.of(1) } });
      expectSubscriptions(source.subscriptions).toBe('^---!');
      return 'ran';
    });
    expect(result).toBe('ran');
  });

  it('throws both timelines, one notification a line, when they differ', () => {
    expect(() =>
      runMarbles(({ cold, expectObservable }) => {
        expectObservable(cold('a-b-|', { a: 1, b: 2 })).toBe('a-c-|', { a: 1, c: 3 });
      }),
    ).toThrow('marbles differ:\n  actual:\n    frame 0: next 1\n    frame 2: next 2\n    frame 4: complete\n  expected:\n    frame 0: next 1\n    frame 2: next 3\n    frame 4: complete');
    expect(() =>
      runMarbles(({ cold, expectSubscriptions }) => {
        const source = cold('a-|');
        source.subscribe();
        expectSubscriptions(source.subscriptions).toBe('^--!');
      }),
    ).toThrow('actual:\n    subscribed at frame 0, unsubscribed at frame 2\n  expected:\n    subscribed at frame 0, unsubscribed at frame 3');
  });

  it('matches an error notification by its shape: class and message', () => {
    runMarbles(({ cold, expectObservable }) => {
      expectObservable(cold('a-b-c|', { a: 1, b: -2, c: 3 }).pipe(positive)).toBe('a-#', { a: 1 }, errorLike(RangeError, /negative/));
      expectObservable(cold('b', { b: -2 }).pipe(positive)).toBe('#', undefined, errorLike(RangeError, '-2 is negative'));
      expectObservable(cold('b', { b: -2 }).pipe(positive)).toBe('#', undefined, new RangeError('-2 is negative'));
    });
    for (const wrong of [errorLike(TypeError), errorLike(RangeError, /positive/), errorLike(RangeError, '-2 is')]) {
      expect(() =>
        runMarbles(({ cold, expectObservable }) => {
          expectObservable(cold('b', { b: -2 }).pipe(positive)).toBe('#', undefined, wrong);
        }),
      ).toThrow(`actual:\n    frame 0: error RangeError: -2 is negative\n  expected:\n    frame 0: error an error like ${wrong}`);
    }
  });
});

describe('sameValue', () => {
  it('holds between a JSON value and its copy, and not once one leaf changes', () => {
    fc.assert(
      // fast-check's JSON values include −0, which JSON text cannot hold (it reads back as 0): values as JSON reads them
      fc.property(fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown), (value) => {
        const copy = JSON.parse(JSON.stringify(value)) as unknown;
        expect(sameValue(copy, value)).toBe(true);
        expect(sameValue({ value, extra: 1 }, { value: copy })).toBe(false);
        expect(sameValue([value, 1], [copy, 2])).toBe(false);
      }),
    );
  });

  it('tells numbers by Object.is, typed arrays by type and elements, errors by class and message', () => {
    expect([sameValue(NaN, NaN), sameValue(0, -0), sameValue(Float32Array.of(1, NaN), Float32Array.of(1, NaN))]).toEqual([true, false, true]);
    expect([sameValue(Float32Array.of(1), Float64Array.of(1)), sameValue(Int32Array.of(1, 2), Int32Array.of(1, 3))]).toEqual([false, false]);
    expect([sameValue(new RangeError('x'), new RangeError('x')), sameValue(new RangeError('x'), new TypeError('x')), sameValue(new Error('x'), new Error('y'))]).toEqual([true, false, false]);
    expect([sameValue(new Map([[1, 'a']]), new Map([[1, 'a']])), sameValue(new Set([1]), new Set([2]))]).toEqual([true, false]);
  });
});
