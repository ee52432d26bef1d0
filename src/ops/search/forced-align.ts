import { NON_EMITTING, type SearchGraph } from './viterbi.js';

/** The best path through an alignment graph: the emitting node of every frame, and its log score. */
export interface ForcedAlignment {
  /** [T] the node each frame is spent in */
  readonly nodes: Int32Array;
  readonly score: number;
}

/**
 * Nodes of `graph` in an order where every arc between two non-emitting
 * nodes goes forward (they form no cycle), emitting nodes anywhere: the order
 * scores flow through junctions within a frame.
 */
function junctionOrder(graph: SearchGraph): Int32Array {
  const { outputs, arcStart, arcTarget } = graph;
  const N = outputs.length;
  const indegree = new Int32Array(N);
  for (let a = 0; a < N; a++) {
    if (outputs[a] !== NON_EMITTING) continue;
    for (let i = arcStart[a]; i < arcStart[a + 1]; i++) if (outputs[arcTarget[i]] === NON_EMITTING) indegree[arcTarget[i]]++;
  }
  const order: number[] = [];
  const ready: number[] = [];
  for (let n = 0; n < N; n++) if (outputs[n] === NON_EMITTING && indegree[n] === 0) ready.push(n);
  while (ready.length > 0) {
    const n = ready.pop() as number;
    order.push(n);
    for (let i = arcStart[n]; i < arcStart[n + 1]; i++) {
      const m = arcTarget[i];
      if (outputs[m] === NON_EMITTING && --indegree[m] === 0) ready.push(m);
    }
  }
  const junctions = outputs.reduce((count, output) => count + (output === NON_EMITTING ? 1 : 0), 0);
  if (order.length !== junctions) throw new RangeError('forced alignment: the non-emitting nodes form a cycle');
  return Int32Array.from(order);
}

/**
 * Forced alignment: the best path through `graph` (a transcript's HMM: its
 * words' states in order, optional silences) that emits exactly one node per
 * frame, scored by the graph's arc log probabilities plus, for each frame t
 * spent in node n, `scores[t·columns + outputs[n]]`; starting at
 * `graph.start` before the first frame and reaching `graph.final` after the
 * last. Frame-synchronous Viterbi with full backpointers (a transcript's
 * graph is small): paths more than `beam` below the frame's best are
 * dropped (Infinity: exact). Null when no path fits (too few frames for the
 * transcript, or all pruned).
 *
 * @example forcedAlign(graph, logLikelihoods, T, S, 30)?.nodes
 */
export function forcedAlign(graph: SearchGraph, scores: Float32Array, frames: number, columns: number, beam: number): ForcedAlignment | null {
  const { outputs, arcStart, arcTarget, arcWeight, start, final } = graph;
  const N = outputs.length;
  if (scores.length < frames * columns) throw new RangeError(`forced alignment: ${frames} × ${columns} scores do not fit in ${scores.length}`);
  for (let n = 0; n < N; n++) {
    if (outputs[n] !== NON_EMITTING && (outputs[n] < 0 || outputs[n] >= columns)) throw new RangeError(`forced alignment: node ${n} emits column ${outputs[n]} of ${columns}`);
  }
  const order = junctionOrder(graph);
  // Per frame: the score of each node after the frame (emitting) or between frames (junctions), and
  // for emitting nodes the emitting node of the previous frame their best path came from (−1: the start).
  const previous = new Float64Array(N);
  const current = new Float64Array(N);
  const between = new Float64Array(N);
  const viaBetween = new Int32Array(N);
  const back = new Int32Array(frames * N).fill(-1);
  previous.fill(-Infinity);

  // Junction scores before frame t, from the emitting scores after frame t − 1 (or the start).
  const propagate = (t: number): void => {
    between.fill(-Infinity);
    viaBetween.fill(-1);
    if (t === 0) between[start] = 0;
    for (let a = 0; a < N; a++) {
      if (outputs[a] === NON_EMITTING || previous[a] === -Infinity) continue;
      for (let i = arcStart[a]; i < arcStart[a + 1]; i++) {
        const b = arcTarget[i];
        if (outputs[b] !== NON_EMITTING) continue;
        const s = previous[a] + arcWeight[i];
        if (s > between[b]) {
          between[b] = s;
          viaBetween[b] = a;
        }
      }
    }
    for (const a of order) {
      if (between[a] === -Infinity) continue;
      for (let i = arcStart[a]; i < arcStart[a + 1]; i++) {
        const b = arcTarget[i];
        if (outputs[b] !== NON_EMITTING) continue;
        const s = between[a] + arcWeight[i];
        if (s > between[b]) {
          between[b] = s;
          viaBetween[b] = viaBetween[a];
        }
      }
    }
  };

  /** Frame `row / N`'s scores through the emitting arcs out of `from`, entered at `base`, remembering `origin`. */
  const consider = (row: number, from: number, base: number, origin: number): void => {
    for (let i = arcStart[from]; i < arcStart[from + 1]; i++) {
      const b = arcTarget[i];
      if (outputs[b] === NON_EMITTING) continue;
      const s = base + arcWeight[i];
      if (s > current[b]) {
        current[b] = s;
        back[row + b] = origin;
      }
    }
  };

  for (let t = 0; t < frames; t++) {
    propagate(t);
    current.fill(-Infinity);
    const row = t * N;
    for (let a = 0; a < N; a++) {
      if (outputs[a] !== NON_EMITTING) {
        if (previous[a] !== -Infinity) consider(row, a, previous[a], a);
      } else if (between[a] !== -Infinity) consider(row, a, between[a], viaBetween[a]);
    }
    let best = -Infinity;
    for (let n = 0; n < N; n++) {
      if (current[n] === -Infinity) continue;
      current[n] += scores[t * columns + outputs[n]];
      if (current[n] > best) best = current[n];
    }
    if (best === -Infinity) return null;
    for (let n = 0; n < N; n++) if (current[n] < best - beam) current[n] = -Infinity;
    previous.set(current);
  }

  // The final node, after the last frame.
  propagate(frames);
  if (between[final] === -Infinity) return null;
  const nodes = new Int32Array(frames);
  let node = viaBetween[final];
  if (frames > 0 && node < 0) return null;
  for (let t = frames - 1; t >= 0; t--) {
    nodes[t] = node;
    node = back[t * N + node];
  }
  return { nodes, score: between[final] };
}
