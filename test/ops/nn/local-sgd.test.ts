import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deltaSince, rebase } from '../../../src/ops/nn/local-sgd.js';

const vectors = (length: number, count: number) => fc.array(fc.float32Array({ minLength: length, maxLength: length, min: -4, max: 4, noNaN: true, noDefaultInfinity: true }), { minLength: count, maxLength: count });

describe('local SGD\'s bookkeeping', () => {
  it('deltaSince is current − base, element by element, or a share of it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }).chain((n) => vectors(n, 2)), fc.constantFrom(0.5, 0.25, 1 / 3), ([current, base], share) => {
        const out = new Float32Array(current.length).fill(9);
        expect(deltaSince(current, base, out)).toBe(out);
        expect(Array.from(out)).toEqual(Array.from(current, (c, i) => Math.fround(c - base[i])));
        deltaSince(current, base, out, share);
        expect(Array.from(out)).toEqual(Array.from(current, (c, i) => Math.fround(share * (c - base[i]))));
      }),
    );
  });

  it('rebase gives the fresh values plus what training did since the values were taken', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }).chain((n) => vectors(n, 3)), ([taken, trained, fresh]) => {
        // current = taken + trained: training went on while the push travelled.
        const current = Float32Array.from(taken, (t, i) => t + trained[i]);
        const before = current.slice();
        expect(rebase(current, taken, fresh)).toBe(current);
        for (let i = 0; i < current.length; i++) expect(current[i]).toBe(Math.fround(before[i] + (fresh[i] - taken[i])));
        for (let i = 0; i < current.length; i++) expect(current[i]).toBeCloseTo(fresh[i] + trained[i], 4);
      }),
    );
  });

  it('averaged, holds the mean of the workers\' models once each has pushed what it trained', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.constantFrom(2, 4), fc.integer({ min: 1, max: 1000 }), (n, count, seed) => {
        // Models in multiples of 2⁻⁸: float32 holds every share and sum exactly.
        let state = seed;
        const step = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) % 17) / 256 - 8 / 256;
        const server = new Float32Array(n);
        const models = Array.from({ length: count }, () => Float32Array.from({ length: n }, step));
        const delta = new Float32Array(n);
        // Each worker trained from the server's values (zeros) to its model, then pushes its share of the change.
        for (const model of models) {
          deltaSince(model, new Float32Array(n), delta, 1 / count);
          server.forEach((_, i) => (server[i] += delta[i]));
        }
        for (let i = 0; i < n; i++) expect(server[i]).toBe(models.reduce((sum, model) => sum + model[i], 0) / count);
      }),
    );
  });

  it('loses no training over many pushes: the shards\' sum of deltas and what is left unpushed make up every step', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 1000 }), (n, rounds, seed) => {
        // Two workers pushing deltas to one server that adds them; steps are multiples of 2⁻⁸ with small
        // sums, so float32 holds every total exactly and the check is exact.
        let state = seed;
        const step = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) % 17) / 256 - 8 / 256;
        const server = new Float32Array(n);
        const workers = [0, 1].map(() => ({ current: server.slice(), base: server.slice(), taken: new Float32Array(n), delta: new Float32Array(n), trained: new Float32Array(n) }));
        for (let round = 0; round < rounds; round++) {
          for (const w of workers) {
            const train = () => w.current.forEach((_, i) => {
              const s = step();
              w.current[i] += s;
              w.trained[i] += s;
            });
            train();
            w.taken.set(w.current);
            deltaSince(w.taken, w.base, w.delta);
            train(); // while the push travels
            server.forEach((_, i) => (server[i] += w.delta[i]));
            w.base.set(server);
            rebase(w.current, w.taken, w.base);
          }
        }
        // Each worker's copy is the server's values plus its steps not yet pushed; the server holds every pushed step.
        for (let i = 0; i < n; i++) {
          const unpushed = workers.map((w) => w.current[i] - w.base[i]);
          expect(server[i] + unpushed[0] + unpushed[1]).toBe(workers[0].trained[i] + workers[1].trained[i]);
        }
      }),
    );
  });
});
