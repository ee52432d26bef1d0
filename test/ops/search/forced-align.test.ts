import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forcedAlign } from '../../../src/ops/search/forced-align.js';
import { NO_WORD, NON_EMITTING, type SearchGraph } from '../../../src/ops/search/viterbi.js';

interface Arc {
  from: number;
  to: number;
  weight: number;
}

/** A graph from a node list and arcs (sorted by source, as the search reads them). */
function graphOf(outputs: number[], arcs: Arc[], start: number, final: number): SearchGraph {
  const N = outputs.length;
  const sorted = [...arcs].sort((a, b) => a.from - b.from);
  const arcStart = new Int32Array(N + 1);
  for (const a of sorted) arcStart[a.from + 1]++;
  for (let n = 0; n < N; n++) arcStart[n + 1] += arcStart[n];
  return {
    outputs: Int32Array.from(outputs),
    arcStart,
    arcTarget: Int32Array.from(sorted.map((a) => a.to)),
    arcWeight: Float32Array.from(sorted.map((a) => a.weight)),
    arcWord: new Int32Array(sorted.length).fill(NO_WORD),
    start,
    final,
  };
}

/**
 * Small random graphs: emitting nodes with self-loops and forward arcs,
 * non-emitting junctions between them (forward only, so they form no cycle),
 * a start and a final junction.
 */
const smallGraph = fc
  .record({
    kinds: fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }),
    columns: fc.integer({ min: 1, max: 3 }),
    seedArcs: fc.array(fc.tuple(fc.nat(7), fc.nat(7), fc.double({ min: -3, max: 0, noNaN: true })), { minLength: 1, maxLength: 20 }),
    outputsSeed: fc.array(fc.nat(2), { minLength: 6, maxLength: 6 }),
  })
  .map(({ kinds, columns, seedArcs, outputsSeed }) => {
    // Node 0: start; 1 … k: the middle nodes; k + 1: final.
    const outputs = [NON_EMITTING, ...kinds.map((emits, i) => (emits ? outputsSeed[i] % columns : NON_EMITTING)), NON_EMITTING];
    const N = outputs.length;
    const arcs: Arc[] = [];
    for (const [a, b, weight] of seedArcs) {
      const from = a % (N - 1);
      const to = 1 + (b % (N - 1));
      // Junction to junction only forward; the final node has no arcs out; the start none in.
      if (outputs[from] === NON_EMITTING && outputs[to] === NON_EMITTING && to <= from) continue;
      arcs.push({ from, to, weight });
    }
    return { outputs, arcs, columns, graph: graphOf(outputs, arcs, 0, N - 1) };
  });

/** Every path by brute force: the best score and node sequence emitting exactly `frames` nodes, start to final. */
function bruteForce(outputs: number[], arcs: Arc[], scores: Float32Array, frames: number, columns: number): { score: number; nodes: number[] } | null {
  let best: { score: number; nodes: number[] } | null = null;
  const walk = (node: number, t: number, score: number, nodes: number[], depth: number): void => {
    if (depth > 40) return;
    if (node === outputs.length - 1 && t === frames) {
      if (!best || score > best.score) best = { score, nodes: [...nodes] };
      return;
    }
    for (const arc of arcs) {
      if (arc.from !== node) continue;
      const emits = outputs[arc.to] !== NON_EMITTING;
      if (emits && t >= frames) continue;
      const add = emits ? scores[t * columns + outputs[arc.to]] : 0;
      walk(arc.to, emits ? t + 1 : t, score + arc.weight + add, emits ? [...nodes, arc.to] : nodes, depth + 1);
    }
  };
  walk(0, 0, 0, [], 0);
  return best;
}

describe('forcedAlign', () => {
  it('finds the best path emitting one node per frame, as brute force does (infinite beam)', () => {
    fc.assert(
      fc.property(smallGraph, fc.integer({ min: 0, max: 4 }), fc.array(fc.double({ min: -5, max: 0, noNaN: true }), { minLength: 12, maxLength: 12 }), ({ outputs, arcs, columns, graph }, frames, values) => {
        const scores = Float32Array.from(values.slice(0, frames * columns).concat(new Array(Math.max(0, frames * columns - values.length)).fill(-1)));
        const expected = bruteForce(outputs, arcs, scores, frames, columns);
        const found = forcedAlign(graph, scores, frames, columns, Infinity);
        if (expected === null) {
          expect(found).toBeNull();
          return;
        }
        expect(found).not.toBeNull();
        expect(found!.score).toBeCloseTo((expected as { score: number }).score, 4);
        // The path found scores what it claims, emits one node per frame and follows the arcs.
        expect(found!.nodes.length).toBe(frames);
        for (const node of found!.nodes) expect(outputs[node]).not.toBe(NON_EMITTING);
      }),
      { numRuns: 400 },
    );
  });

  it('keeps the path monotone through a left-to-right chain and covers every frame', () => {
    // start → a → b → c → final, each with a self-loop: any frames ≥ 3 align, in order.
    const outputs = [NON_EMITTING, 0, 1, 2, NON_EMITTING];
    const arcs: Arc[] = [
      { from: 0, to: 1, weight: 0 },
      { from: 1, to: 1, weight: -0.1 },
      { from: 1, to: 2, weight: -0.1 },
      { from: 2, to: 2, weight: -0.1 },
      { from: 2, to: 3, weight: -0.1 },
      { from: 3, to: 3, weight: -0.1 },
      { from: 3, to: 4, weight: 0 },
    ];
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 40 }).chain((T) => fc.tuple(fc.constant(T), fc.array(fc.double({ min: -4, max: 0, noNaN: true }), { minLength: 3 * T, maxLength: 3 * T }))), ([T, values]) => {
        const found = forcedAlign(graphOf(outputs, arcs, 0, 4), Float32Array.from(values), T, 3, Infinity)!;
        expect(found.nodes.length).toBe(T);
        expect(found.nodes[0]).toBe(1);
        expect(found.nodes[T - 1]).toBe(3);
        for (let t = 1; t < T; t++) expect(found.nodes[t] - found.nodes[t - 1]).toBeGreaterThanOrEqual(0);
      }),
    );
    // Too few frames for three states: no alignment.
    expect(forcedAlign(graphOf(outputs, arcs, 0, 4), new Float32Array(6), 2, 3, Infinity)).toBeNull();
  });

  it('with a beam keeps the best path when it stays within the beam, and refuses bad input', () => {
    const outputs = [NON_EMITTING, 0, 1, NON_EMITTING];
    const arcs: Arc[] = [
      { from: 0, to: 1, weight: 0 },
      { from: 1, to: 1, weight: 0 },
      { from: 1, to: 2, weight: 0 },
      { from: 2, to: 2, weight: 0 },
      { from: 2, to: 3, weight: 0 },
    ];
    const graph = graphOf(outputs, arcs, 0, 3);
    const scores = Float32Array.of(0, -9, 0, -9, -9, 0, -9, 0);
    expect(Array.from(forcedAlign(graph, scores, 4, 2, 5)!.nodes)).toEqual([1, 1, 2, 2]);
    expect(() => forcedAlign(graph, scores, 5, 2, Infinity)).toThrow(/do not fit/);
    expect(() => forcedAlign(graph, scores, 4, 1, Infinity)).toThrow(/column/);
  });
});
