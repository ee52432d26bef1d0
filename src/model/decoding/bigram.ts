/**
 * A word bigram with absolute discounting, interpolated with an add-one
 * unigram, in back-off form (as an ARPA file would hold it).
 *
 * Histories are 0 = sentence start `<s>` and 1 + w for word w; the words
 * predicted are w (0 … V−1) and V = sentence end `</s>`. For a pair seen in
 * training P(w | h) is `probabilities` of that pair, otherwise
 * `backoff[h]` · `unigram[w]`; each history's distribution sums to 1.
 */
export interface Bigram {
  /** the vocabulary, V words */
  readonly words: readonly string[];
  /** [V + 1] P(w) over the words, then `</s>` */
  readonly unigram: Float32Array;
  /** [V + 1] back-off weight of each history: `<s>`, then the words */
  readonly backoff: Float32Array;
  /** the seen pairs, ascending by (history, next) */
  readonly history: Int32Array;
  readonly next: Int32Array;
  /** P(next | history) of each seen pair */
  readonly probabilities: Float32Array;
}

/** The history index of sentence start. */
export const SENTENCE_START = 0;

/** Transcript statistics for {@link estimateBigram}: pair counts keyed history · (V + 1) + next. */
export interface BigramCounts {
  readonly vocabulary: number;
  readonly pairs: Map<number, number>;
}

export function emptyBigramCounts(vocabulary: number): BigramCounts {
  return { vocabulary, pairs: new Map() };
}

/**
 * Counts one sentence, given as word indices in [0, V): `<s> w₁`, `w₁ w₂`, …,
 * `wₙ </s>`.
 *
 * @example addSentence(counts, [3, 1]) // (<s>, 3), (3, 1), (1, </s>)
 */
export function addSentence(counts: BigramCounts, words: ArrayLike<number>): void {
  const V = counts.vocabulary;
  let history = SENTENCE_START;
  for (let k = 0; k <= words.length; k++) {
    const next = k < words.length ? words[k] : V;
    if (!(Number.isInteger(next) && next >= 0 && next <= V && (next < V || k === words.length))) {
      throw new RangeError(`word index ${next} is outside [0, ${V})`);
    }
    const key = history * (V + 1) + next;
    counts.pairs.set(key, (counts.pairs.get(key) ?? 0) + 1);
    history = next + 1;
  }
}

/**
 * The bigram of `counts` over vocabulary `words`, each seen count lowered by
 * `discount` (0 ≤ D < 1) and the mass freed given to the unigram:
 * P(w | h) = max(c(h, w) − D, 0) / c(h) + D · N₁₊(h) / c(h) · P₁(w), with
 * P₁(w) = (c(w) + 1) / (N + V + 1). A history never seen gets P₁.
 *
 * @example estimateBigram(['a', 'b'], counts, 0.5)
 */
export function estimateBigram(words: readonly string[], counts: BigramCounts, discount = 0.5): Bigram {
  const V = words.length;
  if (counts.vocabulary !== V) throw new RangeError(`counts are over ${counts.vocabulary} words, the vocabulary has ${V}`);
  if (!(discount >= 0 && discount < 1)) throw new RangeError(`the discount must be in [0, 1), got ${discount}`);
  const keys = [...counts.pairs.keys()].sort((a, b) => a - b);
  const historyTotal = new Float64Array(V + 1);
  const historyTypes = new Float64Array(V + 1);
  const wordTotal = new Float64Array(V + 1);
  let tokens = 0;
  for (const key of keys) {
    const c = counts.pairs.get(key) as number;
    historyTotal[Math.floor(key / (V + 1))] += c;
    historyTypes[Math.floor(key / (V + 1))]++;
    wordTotal[key % (V + 1)] += c;
    tokens += c;
  }
  const unigram = new Float32Array(V + 1);
  for (let w = 0; w <= V; w++) unigram[w] = (wordTotal[w] + 1) / (tokens + V + 1);
  const backoff = new Float32Array(V + 1);
  for (let h = 0; h <= V; h++) backoff[h] = historyTotal[h] > 0 ? (discount * historyTypes[h]) / historyTotal[h] : 1;
  const history = new Int32Array(keys.length);
  const next = new Int32Array(keys.length);
  const probabilities = new Float32Array(keys.length);
  keys.forEach((key, i) => {
    const h = Math.floor(key / (V + 1));
    const w = key % (V + 1);
    history[i] = h;
    next[i] = w;
    probabilities[i] = ((counts.pairs.get(key) as number) - discount) / historyTotal[h] + backoff[h] * unigram[w];
  });
  return { words: [...words], unigram, backoff, history, next, probabilities };
}

/**
 * P(next | history) (history 0 = `<s>`, 1 + w = word w; next V = `</s>`).
 *
 * @example bigramProbability(bigram, SENTENCE_START, bigram.words.indexOf('oh'))
 */
export function bigramProbability(bigram: Bigram, history: number, next: number): number {
  let low = 0;
  let high = bigram.history.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (bigram.history[mid] < history || (bigram.history[mid] === history && bigram.next[mid] < next)) low = mid + 1;
    else high = mid;
  }
  const seen = low < bigram.history.length && bigram.history[low] === history && bigram.next[low] === next;
  return seen ? bigram.probabilities[low] : bigram.backoff[history] * bigram.unigram[next];
}
