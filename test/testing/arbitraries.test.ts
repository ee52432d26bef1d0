import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initParameters } from '../../src/model/network/init.js';
import { layoutOf } from '../../src/model/network/layout.js';
import { NO_TARGET } from '../../src/streams/pipeline/utterance.js';
import { chunkedUtterances, lstmpParameters, lstmpSpec } from '../../src/testing/arbitraries.js';
import { checkChunkContract } from '../../src/testing/chunk-contract.js';

// Arbitraries of the kit held to their contracts (the kernel cases are held to theirs by the references' tests).

describe('chunkedUtterances', () => {
  it('honours the chunk contract, at the shape drawn within its bounds', () => {
    fc.assert(
      fc.property(chunkedUtterances({ maxStreams: 5, maxSteps: 7 }), ({ utterances, streams, steps, chunks }) => {
        expect(streams >= 1 && streams <= 5 && steps >= 1 && steps <= 7).toBe(true);
        checkChunkContract(chunks, utterances, { streams, steps });
        expect(chunks.length === 0).toBe(utterances.every((u) => u.frames === 0));
      }),
      { numRuns: 300 },
    );
  });

  it('draws the contract’s every case: continued and started streams, padding, untargeted frames, idle streams, no chunks', () => {
    const seen = new Set<string>();
    for (const { streams, chunks } of fc.sample(chunkedUtterances(), { numRuns: 300, seed: 13 })) {
      if (chunks.length === 0) seen.add('no chunks');
      for (const c of chunks) {
        for (let b = 0; b < streams; b++) {
          if (c.utterances[b] === null) seen.add('idle stream');
          else seen.add(c.reset[b] === 1 ? 'started' : 'continued');
          for (let t = 0; t < c.steps; t++) {
            const row = t * streams + b;
            if (c.utterances[b] !== null && c.targets[row] === NO_TARGET) seen.add(c.features[row * c.dim] === 0 ? 'padding' : 'untargeted frame');
          }
        }
      }
    }
    expect(seen).toEqual(new Set(['no chunks', 'idle stream', 'started', 'continued', 'padding', 'untargeted frame']));
  });
});

describe('lstmpParameters', () => {
  it('is lstmp’s initialisation of the spec at the range: its layout’s size, every value within ±range, spread across it', () => {
    fc.assert(
      fc.property(
        lstmpSpec({ maxCells: 8 }).chain((spec) => fc.tuple(fc.constant(spec), fc.constantFrom(0.02, 0.1, 0.8)).chain(([s, range]) => fc.tuple(fc.constant(s), fc.constant(range), lstmpParameters(s, range)))),
        ([spec, range, params]) => {
          expect(params).toBeInstanceOf(Float32Array);
          expect(params.length).toBe(layoutOf(spec).size);
          expect(params.every((p) => Math.abs(p) <= Math.fround(range))).toBe(true);
          // n values uniform in ±range all within ±range/2: once in 2^n
          if (params.length >= 60) expect(Math.max(...params.map(Math.abs))).toBeGreaterThan(range / 2);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives what initParameters gives for some seed, the paper’s range by default', () => {
    const spec = { inputs: 2, cells: 3, projection: 2, layers: 1, outputs: 3, cellClip: 50, peepholes: true };
    const [params] = fc.sample(lstmpParameters(spec), { numRuns: 1, seed: 14 });
    const seeds = fc.sample(fc.integer(), { numRuns: 1, seed: 14 });
    expect(params).toEqual(initParameters(spec, seeds[0], 0.02));
    for (const range of [0, -1, NaN, Infinity]) expect(() => lstmpParameters(spec, range)).toThrow(RangeError);
  });
});
