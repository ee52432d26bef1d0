import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Chunk } from '../../src/streams/pipeline/chunk.js';
import { NO_TARGET, type LabelledUtterance } from '../../src/streams/pipeline/utterance.js';
import { chunkedUtterances } from '../../src/testing/arbitraries.js';
import { checkChunkContract } from '../../src/testing/chunk-contract.js';

const copy = (c: Chunk): Chunk => ({ ...c, features: c.features.slice(), targets: c.targets.slice(), mask: c.mask.slice(), reset: c.reset.slice(), utterances: [...c.utterances] });

/** Utterances (some with frames), lstmp's chunk stage's chunks of them, and a number to pick a place with. */
const scenario = fc
  .tuple(
    chunkedUtterances({ maxUtterances: 8, maxFrames: 30, maxStreams: 4, maxSteps: 10 }).filter(({ utterances }) => utterances.some((u) => u.frames > 0)),
    fc.nat(),
  )
  .map(([chunked, pick]) => ({ ...chunked, pick }));

/** Every (chunk, stream, step) where a real frame sits, and every one of padding. */
function rows(chunks: readonly Chunk[], utterances: readonly LabelledUtterance[]) {
  const frames = new Map(utterances.map((u) => [u.id, u.frames]));
  const seen = new Map<string, number>();
  const real: { n: number; b: number; t: number; labelled: boolean }[] = [];
  const padding: { n: number; b: number; t: number }[] = [];
  chunks.forEach((c, n) => {
    for (let b = 0; b < c.streams; b++) {
      const id = c.utterances[b];
      const from = id === null ? 0 : (seen.get(id) ?? 0);
      const take = id === null ? 0 : Math.min(c.steps, frames.get(id)! - from);
      for (let t = 0; t < c.steps; t++) (t < take ? real.push({ n, b, t, labelled: c.targets[t * c.streams + b] !== NO_TARGET }) : padding.push({ n, b, t }));
      if (id !== null) seen.set(id, from + take);
    }
  });
  return { real, padding };
}

const breaks = (chunks: readonly Chunk[], utterances: readonly LabelledUtterance[], shape?: { streams: number; steps: number }) => {
  try {
    checkChunkContract(chunks, utterances, shape);
  } catch (error) {
    return (error as Error).message;
  }
  return 'kept';
};

describe('checkChunkContract', () => {
  it('passes what lstmp’s chunk stage makes', () => {
    fc.assert(
      fc.property(scenario, ({ utterances, streams, steps, chunks }) => {
        expect(breaks(chunks, utterances, { streams, steps })).toBe('kept');
      }),
    );
  });

  it('names the chunk, stream and step where one value breaks the contract', () => {
    fc.assert(
      fc.property(scenario, fc.constantFrom('mask', 'target', 'feature', 'padding', 'reset'), ({ utterances, streams, steps, pick, chunks: made }, what) => {
        const chunks = made.map(copy);
        const { real, padding } = rows(chunks, utterances);
        const places = what === 'padding' ? padding : what === 'mask' ? real.filter((r) => r.labelled) : real;
        fc.pre(places.length > 0);
        const { n, b, t } = places[pick % places.length];
        const c = chunks[n];
        const row = t * streams + b;
        if (what === 'mask') c.mask[row] = 0;
        if (what === 'target') c.targets[row] = c.targets[row] === NO_TARGET ? 0 : NO_TARGET;
        if (what === 'feature') c.features[row * c.dim] += 0.5;
        if (what === 'padding') c.mask[row] = 1;
        if (what === 'reset') c.reset[b] = 1 - c.reset[b];
        const where = `chunk ${n}: stream ${b}, step ${what === 'reset' ? 0 : t}: `;
        const words = { mask: 'mask 0, want 1', target: 'target ', feature: 'features ', padding: 'padding with target -1 and mask 1', reset: 'reset ' }[what];
        expect(breaks(chunks, utterances, { streams, steps })).toContain(where + words);
      }),
      { numRuns: 300 },
    );
  });

  it('finds a lost, repeated or moved frame, a stream switching mid-utterance, and a chunk of the wrong shape', () => {
    fc.assert(
      fc.property(scenario, ({ utterances, streams, steps, pick, chunks }) => {
        const n = pick % chunks.length;
        expect(breaks(chunks.slice(0, -1), utterances)).toMatch(/^after \d+ chunks: \d+ of the \d+ frames of u\d+$/);
        expect(breaks([...chunks.slice(0, n + 1), chunks[n], ...chunks.slice(n + 1)], utterances)).toMatch(/^chunk \d+: /);
        expect(breaks(chunks, utterances, { streams: streams + 1, steps })).toMatch(/^chunk 0: \d+ steps × \d+ streams of \d+ features, want \d+ × \d+ of \d+$/);
        const other = utterances.find((u) => u.id === chunks[n].utterances.find((id) => id !== null));
        if (other) expect(breaks(chunks, utterances.filter((u) => u !== other))).toMatch(new RegExp(`^chunk \\d+: stream \\d+, step 0: holds ${other.id}, which is not one of the utterances$`));
        if (streams > 1 && chunks[n].utterances[0] !== chunks[n].utterances[1]) {
          const swapped = chunks.map(copy);
          swapped[n] = { ...swapped[n], utterances: [chunks[n].utterances[1], chunks[n].utterances[0], ...chunks[n].utterances.slice(2)] };
          expect(breaks(swapped, utterances)).toMatch(/^chunk \d+: stream [01], step \d+: /);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refuses two utterances of one id', () => {
    const u: LabelledUtterance = { id: 'a', frames: 1, dim: 1, features: Float32Array.of(1), targets: Int32Array.of(0) };
    expect(() => checkChunkContract([], [u, u])).toThrow('checkChunkContract: two utterances are called a');
  });
});
