import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countTransitions, FORWARD, SELF_LOOP, transitionProbabilities } from '../../../src/model/decoding/transitions.js';

describe('countTransitions', () => {
  it('counts a run of n frames as n − 1 self-loops and one step forward', () => {
    const counts = new Float64Array(2 * 3);
    countTransitions(Int32Array.of(0, 0, 0, 1, 2, 2, 0), counts);
    expect(Array.from(counts)).toEqual([2, 2, 0, 1, 1, 1]);
  });

  it('counts every frame once, and one forward step per run', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 40 }), (states) => {
        const counts = new Float64Array(8);
        countTransitions(Int32Array.from(states), counts);
        expect(counts.reduce((a, b) => a + b, 0)).toBe(states.length);
        const runs = states.filter((s, t) => t === 0 || states[t - 1] !== s).length;
        expect([0, 1, 2, 3].reduce((sum, s) => sum + counts[2 * s + FORWARD], 0)).toBe(runs);
      }),
    );
  });
});

describe('transitionProbabilities', () => {
  it('estimates self-loop and forward probabilities with add-one smoothing', () => {
    const p = transitionProbabilities(Float64Array.of(8, 2, 0, 0));
    expect(p[SELF_LOOP]).toBeCloseTo(9 / 12, 7);
    expect(p[FORWARD]).toBeCloseTo(3 / 12, 7);
    expect(Array.from(p.subarray(2))).toEqual([0.5, 0.5]);
  });

  it('gives each state a distribution with no zero, whose mean duration approaches the data', () => {
    const counts = new Float64Array(2);
    for (let run = 0; run < 1000; run++) countTransitions(Int32Array.of(0, 0, 0, 0, 1), counts);
    const p = transitionProbabilities(counts);
    expect(p[0] + p[1]).toBeCloseTo(1, 7);
    expect(1 / p[FORWARD]).toBeCloseTo(4, 1);
  });
});
