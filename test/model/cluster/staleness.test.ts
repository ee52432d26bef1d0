import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { left, mayAnswer, pushed, slowestClock, stalenessGate } from '../../../src/model/cluster/staleness.js';

describe('bounded staleness', () => {
  it('never answers a push more than the bound ahead of the slowest thread, and never leaves every thread waiting', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 5 }), fc.array(fc.nat(), { minLength: 1, maxLength: 200 }), (bound, threads, picks) => {
        const gate = stalenessGate(bound, Infinity);
        const waiting = new Map<number, number>(); // thread → the clock its held push left it at
        // Every thread has pushed once before the run (all present from the start).
        for (let t = 0; t < threads; t++) pushed(gate, `w/${t}`, 0);
        for (const pick of picks) {
          const free = [...Array(threads).keys()].filter((t) => !waiting.has(t));
          expect(free.length, 'a thread is free to push').toBeGreaterThan(0);
          const thread = free[pick % free.length];
          waiting.set(thread, pushed(gate, `w/${thread}`, 0));
          for (const [t, clock] of waiting) {
            if (!mayAnswer(gate, clock, 0)) continue;
            expect(clock).toBeLessThanOrEqual(slowestClock(gate, 0) + bound);
            waiting.delete(t);
          }
        }
        const clocks = [...gate.threads.values()].map((v) => v.clock);
        expect(Math.max(...clocks) - Math.min(...clocks)).toBeLessThanOrEqual(bound + 1);
      }),
    );
  });

  it('at 0 is synchronous: no thread’s push is answered before every thread has pushed as often', () => {
    const gate = stalenessGate(0, Infinity);
    pushed(gate, 'a/0', 0);
    pushed(gate, 'b/0', 0);
    const second = pushed(gate, 'a/0', 0);
    expect(mayAnswer(gate, second, 0)).toBe(false);
    pushed(gate, 'b/0', 0);
    expect(mayAnswer(gate, second, 0)).toBe(true);
  });

  it('starts a newcomer level with the slowest, not behind by the pushes it never made', () => {
    const gate = stalenessGate(1, Infinity);
    expect(pushed(gate, 'a/0', 0)).toBe(1);
    expect(pushed(gate, 'a/1', 0)).toBe(1);
    for (let i = 0; i < 9; i++) pushed(gate, 'a/0', 0);
    for (let i = 0; i < 7; i++) pushed(gate, 'a/1', 0);
    expect(pushed(gate, 'b/0', 0)).toBe(8);
    expect(mayAnswer(gate, 9, 0)).toBe(true);
    expect(mayAnswer(gate, 10, 0)).toBe(false);
  });

  it('does not advance a clock for a push sent again after its reply was lost', () => {
    const gate = stalenessGate(2, Infinity);
    expect(pushed(gate, 'a/0', 0)).toBe(1);
    expect(pushed(gate, 'a/0', 0, true)).toBe(1);
    expect(pushed(gate, 'a/0', 0)).toBe(2);
  });

  it('lets a thread unheard from for silentMs, or one whose worker left, hold no one back', () => {
    const gate = stalenessGate(0, 1000);
    pushed(gate, 'slow/0', 0);
    pushed(gate, 'fast/0', 0);
    const held = pushed(gate, 'fast/0', 500);
    expect(mayAnswer(gate, held, 900)).toBe(false);
    expect(mayAnswer(gate, held, 1001)).toBe(true); // slow/0 last heard at 0
    // Back from silence, it comes in level with the slowest present (fast/0 at 2), not where it was.
    expect(pushed(gate, 'slow/0', 1200)).toBe(2);
    expect(mayAnswer(gate, held, 1200)).toBe(true);
    const after = pushed(gate, 'fast/0', 1300);
    expect(mayAnswer(gate, after, 1300)).toBe(false);
    left(gate, 'slow');
    expect(mayAnswer(gate, after, 1300)).toBe(true);
    expect([...gate.threads.keys()]).toEqual(['fast/0']);
  });
});
