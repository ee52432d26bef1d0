/**
 * A decoding graph as the search reads it: nodes that emit (an HMM state,
 * scored by one column of the acoustic scores) or not (a junction: word
 * boundaries, language-model states, the start and the end), and arcs
 * stored by source node (arcs of node n are arcStart[n] … arcStart[n+1]−1)
 * with log-probability weights and, on some arcs, a word label.
 * Arcs between non-emitting nodes must not form a cycle.
 */
export interface SearchGraph {
  /** [N] the score column each node emits, or {@link NON_EMITTING} */
  readonly outputs: Int32Array;
  /** [N + 1] */
  readonly arcStart: Int32Array;
  /** [A] */
  readonly arcTarget: Int32Array;
  /** [A] log probability */
  readonly arcWeight: Float32Array;
  /** [A] the word an arc outputs, or {@link NO_WORD} */
  readonly arcWord: Int32Array;
  /** non-emitting nodes where every path starts and ends */
  readonly start: number;
  readonly final: number;
}

export const NON_EMITTING = -1;
export const NO_WORD = -1;

export interface SearchOptions {
  /** tokens scoring more than this below the frame's best are dropped (Infinity: none) */
  readonly beam: number;
  /** at most this many tokens survive a frame (Infinity: no limit) */
  readonly maxActive: number;
}

/** The best path's words, each with the frame it ends before, and its total log score. */
export interface SearchResult {
  readonly words: Int32Array;
  readonly ends: Int32Array;
  readonly score: number;
  /** false when no surviving path could end at the final node: the result is then the best partial path */
  readonly final: boolean;
}

/**
 * A frame-synchronous Viterbi beam search over one utterance at a time, fed
 * frames as they come. Memory is fixed by the graph except for the word
 * traceback, which grows amortised and is compacted as tokens drop.
 */
export interface ViterbiSearch {
  /** frames consumed since the last reset */
  readonly frames: number;
  /** consumes `frames` rows of acoustic log-likelihoods [frames, columns], row t at offset + t·columns */
  advance(scores: Float32Array, frames: number, columns: number, offset?: number): void;
  /** the best path so far (not necessarily able to end) */
  partial(): SearchResult;
  /**
   * The words every surviving path shares, from the start: whatever comes
   * later, the result begins with them (only ever grows until a reset),
   * unless no path survives at all, when nothing is settled and the result
   * is empty. Its score is the best path's.
   */
  settled(): SearchResult;
  /** the score column the best path's last frame emitted (−1 before the first frame) */
  bestOutput(): number;
  /**
   * Drops every path whose words differ from the best path's, so that they
   * are all settled: what an endpoint does. From then on the search may
   * differ from one that kept those paths, if one of them would have won.
   */
  commit(): void;
  /** the best complete path, then a reset for the next utterance */
  finish(): SearchResult;
  reset(): void;
}

/**
 * Token passing (Young et al. 1989) with a beam and a cap on active tokens.
 * Each frame: tokens cross arcs into non-emitting nodes (in topological
 * order), then into emitting nodes, which add their frame score; the
 * survivors of pruning carry on. A token holds a score and an index into a
 * traceback table of word ends (word, end frame, previous entry), so no word
 * sequence is ever copied. An entry is written only for a token that
 * survives the frame, when it crossed a word-labelled arc.
 *
 * With an infinite beam and no cap this is exact Viterbi: the best-scoring
 * path from start to final that emits exactly one node per frame.
 *
 * @example
 * const search = viterbiSearch(graph, { beam: 16, maxActive: 7000 });
 * search.advance(scores, T, O);
 * const { words } = search.finish();
 */
export function viterbiSearch(graph: SearchGraph, options: SearchOptions): ViterbiSearch {
  const { outputs, arcStart, arcTarget, arcWeight, arcWord, start, final } = graph;
  const N = outputs.length;
  checkGraph(graph);
  const order = nonEmittingOrder(graph);
  let columnsNeeded = 0;
  for (let n = 0; n < N; n++) columnsNeeded = Math.max(columnsNeeded, outputs[n] + 1);
  const { beam, maxActive } = options;
  if (!(beam > 0)) throw new RangeError(`beam must be > 0, got ${beam}`);
  if (!(maxActive >= 1)) throw new RangeError(`maxActive must be ≥ 1, got ${maxActive}`);

  // Tokens on emitting nodes after the last frame (score −∞ = none), and those being built for the next.
  let score = new Float64Array(N).fill(-Infinity);
  let trace = new Int32Array(N);
  let active = new Int32Array(N);
  let count = 0;
  let nextScore = new Float64Array(N).fill(-Infinity);
  let nextTrace = new Int32Array(N);
  let nextActive = new Int32Array(N);
  const nextWord = new Int32Array(N).fill(NO_WORD);
  // Scores of non-emitting nodes at the current frame boundary.
  const junctionScore = new Float64Array(N).fill(-Infinity);
  const junctionTrace = new Int32Array(N);
  const junctionWord = new Int32Array(N).fill(NO_WORD);
  const selection = new Float64Array(N);
  const traceback = tracebackTable();
  let frame = 0;

  /** Tokens at the boundary before frame t (t = 0: the start node) flow into non-emitting nodes. */
  function crossJunctions(t: number): void {
    if (t === 0) {
      junctionScore[start] = 0;
      junctionTrace[start] = -1;
      junctionWord[start] = NO_WORD;
    }
    for (let i = 0; i < count; i++) {
      const n = active[i];
      relaxJunctions(n, score[n], trace[n]);
    }
    for (let i = 0; i < order.length; i++) {
      const e = order[i];
      if (junctionScore[e] === -Infinity) continue;
      if (junctionWord[e] !== NO_WORD) {
        junctionTrace[e] = traceback.add(junctionWord[e], t, junctionTrace[e]);
        junctionWord[e] = NO_WORD;
      }
      relaxJunctions(e, junctionScore[e], junctionTrace[e]);
    }
  }

  function relaxJunctions(n: number, from: number, fromTrace: number): void {
    for (let a = arcStart[n]; a < arcStart[n + 1]; a++) {
      const d = arcTarget[a];
      if (outputs[d] !== NON_EMITTING) continue;
      const candidate = from + arcWeight[a];
      if (candidate > junctionScore[d]) {
        junctionScore[d] = candidate;
        junctionTrace[d] = fromTrace;
        junctionWord[d] = arcWord[a];
      }
    }
  }

  function clearJunctions(): void {
    for (let i = 0; i < order.length; i++) junctionScore[order[i]] = -Infinity;
  }

  let best = -Infinity;
  let nextCount = 0;
  /** the node of the best token that survived the last frame (−1: none) */
  let leader = -1;

  /** Relaxes the emitting successors of node n (score `from`) with frame scores at `row`. */
  function relaxEmitting(n: number, from: number, fromTrace: number, scores: Float32Array, row: number): void {
    for (let a = arcStart[n]; a < arcStart[n + 1]; a++) {
      const d = arcTarget[a];
      const column = outputs[d];
      if (column === NON_EMITTING) continue;
      const candidate = from + arcWeight[a] + scores[row + column];
      if (!(candidate > nextScore[d]) || candidate < best - beam) continue;
      if (nextScore[d] === -Infinity) nextActive[nextCount++] = d;
      nextScore[d] = candidate;
      nextTrace[d] = fromTrace;
      nextWord[d] = arcWord[a];
      if (candidate > best) best = candidate;
    }
  }

  function step(scores: Float32Array, row: number): void {
    if (traceback.size() >= traceback.limit()) traceback.collect(active, count, trace);
    crossJunctions(frame);
    best = -Infinity;
    nextCount = 0;
    for (let i = 0; i < count; i++) relaxEmitting(active[i], score[active[i]], trace[active[i]], scores, row);
    for (let i = 0; i < order.length; i++) {
      const e = order[i];
      if (junctionScore[e] !== -Infinity) relaxEmitting(e, junctionScore[e], junctionTrace[e], scores, row);
    }
    clearJunctions();

    let threshold = best - beam;
    if (nextCount > maxActive) {
      for (let i = 0; i < nextCount; i++) selection[i] = nextScore[nextActive[i]];
      threshold = Math.max(threshold, kthLargest(selection, nextCount, maxActive));
    }
    let kept = 0;
    leader = -1;
    for (let i = 0; i < nextCount; i++) {
      const d = nextActive[i];
      if (nextScore[d] >= threshold) {
        if (leader < 0 || nextScore[d] > nextScore[leader]) leader = d;
        if (nextWord[d] !== NO_WORD) nextTrace[d] = traceback.add(nextWord[d], frame, nextTrace[d]);
        nextActive[kept++] = d;
      } else nextScore[d] = -Infinity;
      nextWord[d] = NO_WORD;
    }
    for (let i = 0; i < count; i++) score[active[i]] = -Infinity;
    const previousScore = score;
    score = nextScore;
    nextScore = previousScore;
    const previousTrace = trace;
    trace = nextTrace;
    nextTrace = previousTrace;
    const previousActive = active;
    active = nextActive;
    nextActive = previousActive;
    count = kept;
    frame++;
  }

  /** The best surviving token's node (−1: none), found as each step keeps its tokens. */
  function bestToken(): number {
    return leader;
  }

  function reset(): void {
    for (let i = 0; i < count; i++) score[active[i]] = -Infinity;
    count = 0;
    leader = -1;
    frame = 0;
    traceback.clear();
  }

  function partial(): SearchResult {
    const n = bestToken();
    return n < 0 ? { ...traceback.path(-1), score: -Infinity, final: false } : { ...traceback.path(trace[n]), score: score[n], final: false };
  }

  return {
    get frames() {
      return frame;
    },
    settled() {
      const n = bestToken();
      return { ...traceback.path(traceback.commonAncestor(active, count, trace, selection)), score: n < 0 ? -Infinity : score[n], final: false };
    },
    bestOutput() {
      const n = bestToken();
      return n < 0 ? -1 : outputs[n];
    },
    commit() {
      const n = bestToken();
      if (n < 0) return;
      const history = trace[n];
      let kept = 0;
      for (let i = 0; i < count; i++) {
        const d = active[i];
        if (trace[d] === history) active[kept++] = d;
        else score[d] = -Infinity;
      }
      count = kept;
    },
    advance(scores, frames, columns, offset = 0) {
      if (columns < columnsNeeded) throw new RangeError(`the graph reads ${columnsNeeded} score columns, got ${columns}`);
      if (offset + frames * columns > scores.length) throw new RangeError(`${frames} frames of ${columns} scores from ${offset} overrun ${scores.length}`);
      for (let t = 0; t < frames; t++) step(scores, offset + t * columns);
    },
    partial,
    finish() {
      crossJunctions(frame);
      const reached = junctionScore[final] !== -Infinity;
      const result = reached ? { ...traceback.path(junctionTrace[final]), score: junctionScore[final], final: true } : partial();
      clearJunctions();
      reset();
      return result;
    },
    reset,
  };
}

/** Throws on a graph whose arrays do not fit together: a bug in whatever built it. */
function checkGraph(graph: SearchGraph): void {
  const { outputs, arcStart, arcTarget, arcWeight, arcWord, start, final } = graph;
  const N = outputs.length;
  const A = arcTarget.length;
  if (arcStart.length !== N + 1 || arcStart[0] !== 0 || arcStart[N] !== A || arcWeight.length !== A || arcWord.length !== A) {
    throw new RangeError('graph arrays do not fit together');
  }
  for (let n = 0; n < N; n++) if (arcStart[n + 1] < arcStart[n]) throw new RangeError(`arcStart decreases at node ${n}`);
  for (let a = 0; a < A; a++) if (!(arcTarget[a] >= 0 && arcTarget[a] < N)) throw new RangeError(`arc ${a} leads to node ${arcTarget[a]}, outside [0, ${N})`);
  for (const [name, node] of [['start', start], ['final', final]] as const) {
    if (!(node >= 0 && node < N) || outputs[node] !== NON_EMITTING) throw new RangeError(`the ${name} node ${node} must be a non-emitting node`);
  }
}

/** The non-emitting nodes in topological order of the arcs between them (Kahn's algorithm). */
function nonEmittingOrder(graph: SearchGraph): Int32Array {
  const { outputs, arcStart, arcTarget } = graph;
  const N = outputs.length;
  const indegree = new Int32Array(N);
  const junctions: number[] = [];
  for (let n = 0; n < N; n++) {
    if (outputs[n] !== NON_EMITTING) continue;
    junctions.push(n);
    for (let a = arcStart[n]; a < arcStart[n + 1]; a++) if (outputs[arcTarget[a]] === NON_EMITTING) indegree[arcTarget[a]]++;
  }
  const order = new Int32Array(junctions.length);
  let head = 0;
  let tail = 0;
  for (const n of junctions) if (indegree[n] === 0) order[tail++] = n;
  while (head < tail) {
    const n = order[head++];
    for (let a = arcStart[n]; a < arcStart[n + 1]; a++) {
      const d = arcTarget[a];
      if (outputs[d] === NON_EMITTING && --indegree[d] === 0) order[tail++] = d;
    }
  }
  if (tail !== junctions.length) throw new RangeError('the arcs between non-emitting nodes form a cycle');
  return order;
}

/**
 * The k-th largest of values[0 … n) (k from 1), by quickselect in place:
 * the order of `values` is lost, nothing is allocated.
 */
export function kthLargest(values: Float64Array, n: number, k: number): number {
  let low = 0;
  let high = n - 1;
  const target = k - 1;
  while (low < high) {
    const pivot = values[(low + high) >> 1];
    let i = low;
    let j = high;
    while (i <= j) {
      while (values[i] > pivot) i++;
      while (values[j] < pivot) j--;
      if (i <= j) {
        const swap = values[i];
        values[i++] = values[j];
        values[j--] = swap;
      }
    }
    if (target <= j) high = j;
    else if (target >= i) low = i;
    else break;
  }
  return values[target];
}

/**
 * Word ends as a linked list in flat arrays: entry e says word `word[e]`
 * ended before frame `end[e]`, after entry `previous[e]` (−1: the start).
 * Entries only ever point to earlier ones, which lets `collect` compact in
 * one pass.
 */
function tracebackTable() {
  const INITIAL = 1024;
  let word = new Int32Array(INITIAL);
  let end = new Int32Array(INITIAL);
  let previous = new Int32Array(INITIAL);
  let live = new Uint8Array(INITIAL);
  let moved = new Int32Array(INITIAL);
  let size = 0;
  let limit = INITIAL;

  function grow(): void {
    const widen = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(2 * a.length);
      b.set(a);
      return b;
    };
    word = widen(word);
    end = widen(end);
    previous = widen(previous);
    live = new Uint8Array(word.length);
    moved = new Int32Array(word.length);
  }

  return {
    size: () => size,
    /** when the table holds this many entries, the next frame collects first */
    limit: () => limit,
    add(w: number, t: number, before: number): number {
      if (size === word.length) grow();
      word[size] = w;
      end[size] = t;
      previous[size] = before;
      return size++;
    },
    /** Keeps only the entries the tokens `nodes[0 … count)` lead back to, renumbering their traces. */
    collect(nodes: Int32Array, count: number, traces: Int32Array): void {
      for (let i = 0; i < count; i++) {
        for (let e = traces[nodes[i]]; e >= 0 && !live[e]; e = previous[e]) live[e] = 1;
      }
      let kept = 0;
      for (let e = 0; e < size; e++) {
        if (!live[e]) continue;
        live[e] = 0;
        moved[e] = kept;
        word[kept] = word[e];
        end[kept] = end[e];
        previous[kept] = previous[e] >= 0 ? moved[previous[e]] : -1;
        kept++;
      }
      for (let i = 0; i < count; i++) {
        const n = nodes[i];
        if (traces[n] >= 0) traces[n] = moved[traces[n]];
      }
      size = kept;
      limit = Math.max(INITIAL, 2 * kept);
    },
    /**
     * The entry the tokens `nodes[0 … count)` all lead back to (−1: the
     * start): their distinct traces, the latest replaced by its predecessor
     * until one remains. Entries only point back, so the latest is never an
     * ancestor of another. `scratch` holds the set ([count]); `live` marks
     * membership and is left clear.
     */
    commonAncestor(nodes: Int32Array, count: number, traces: Int32Array, scratch: Float64Array): number {
      let distinct = 0;
      let start = false;
      for (let i = 0; i < count; i++) {
        const e = traces[nodes[i]];
        if (e < 0) start = true;
        else if (!live[e]) {
          live[e] = 1;
          scratch[distinct++] = e;
        }
      }
      while (distinct > 1 && !start) {
        let latest = 0;
        for (let j = 1; j < distinct; j++) if (scratch[j] > scratch[latest]) latest = j;
        const e = scratch[latest];
        live[e] = 0;
        const before = previous[e];
        if (before < 0) start = true;
        else if (live[before]) scratch[latest] = scratch[--distinct];
        else {
          live[before] = 1;
          scratch[latest] = before;
        }
      }
      for (let j = 0; j < distinct; j++) live[scratch[j]] = 0;
      return start || distinct === 0 ? -1 : scratch[0];
    },
    path(last: number): { words: Int32Array; ends: Int32Array } {
      let length = 0;
      for (let e = last; e >= 0; e = previous[e]) length++;
      const words = new Int32Array(length);
      const ends = new Int32Array(length);
      for (let e = last, i = length - 1; e >= 0; e = previous[e], i--) {
        words[i] = word[e];
        ends[i] = end[e];
      }
      return { words, ends };
    },
    clear(): void {
      size = 0;
      limit = INITIAL;
    },
  };
}
