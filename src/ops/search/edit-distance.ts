/** One step of an alignment of a hypothesis against its reference. */
export type EditOperation = 'correct' | 'substitution' | 'deletion' | 'insertion';

/** A pair of aligned positions: `reference` is −1 for an insertion, `hypothesis` −1 for a deletion. */
export interface AlignedPair {
  readonly operation: EditOperation;
  readonly reference: number;
  readonly hypothesis: number;
}

/** Word error counts, of one utterance or summed over a corpus. */
export interface ErrorCounts {
  /** reference words */
  readonly words: number;
  readonly correct: number;
  readonly substitutions: number;
  readonly deletions: number;
  readonly insertions: number;
  /** utterances scored, and those with at least one error */
  readonly sentences: number;
  readonly sentenceErrors: number;
}

/** A minimum-cost alignment and its counts. */
export interface EditAlignment {
  readonly pairs: readonly AlignedPair[];
  readonly counts: ErrorCounts;
}

export const NO_ERRORS: ErrorCounts = { words: 0, correct: 0, substitutions: 0, deletions: 0, insertions: 0, sentences: 0, sentenceErrors: 0 };

/**
 * The Levenshtein alignment of `hypothesis` to `reference` (unit costs for
 * substitutions, deletions and insertions), as scoring tools (sclite, Kaldi's
 * compute-wer) count word errors. Among equal-cost alignments the one
 * preferring matches and substitutions, then deletions, is returned.
 *
 * @example editAlignment(['one', 'two'], ['one', 'too', 'two']).counts // 1 insertion
 */
export function editAlignment<T>(reference: ArrayLike<T>, hypothesis: ArrayLike<T>): EditAlignment {
  const n = reference.length;
  const m = hypothesis.length;
  const width = m + 1;
  // cost[i·width + j]: distance between the first i reference and first j hypothesis items
  const cost = new Int32Array((n + 1) * width);
  for (let j = 0; j <= m; j++) cost[j] = j;
  for (let i = 1; i <= n; i++) {
    cost[i * width] = i;
    for (let j = 1; j <= m; j++) {
      const diagonal = cost[(i - 1) * width + j - 1] + (reference[i - 1] === hypothesis[j - 1] ? 0 : 1);
      cost[i * width + j] = Math.min(diagonal, cost[(i - 1) * width + j] + 1, cost[i * width + j - 1] + 1);
    }
  }
  const pairs: AlignedPair[] = [];
  let [correct, substitutions, deletions, insertions] = [0, 0, 0, 0];
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    const here = cost[i * width + j];
    if (i > 0 && j > 0 && here === cost[(i - 1) * width + j - 1] + (reference[i - 1] === hypothesis[j - 1] ? 0 : 1)) {
      const same = reference[i - 1] === hypothesis[j - 1];
      if (same) correct++;
      else substitutions++;
      pairs.push({ operation: same ? 'correct' : 'substitution', reference: --i, hypothesis: --j });
    } else if (i > 0 && here === cost[(i - 1) * width + j] + 1) {
      deletions++;
      pairs.push({ operation: 'deletion', reference: --i, hypothesis: -1 });
    } else {
      insertions++;
      pairs.push({ operation: 'insertion', reference: -1, hypothesis: --j });
    }
  }
  pairs.reverse();
  const errors = substitutions + deletions + insertions;
  return { pairs, counts: { words: n, correct, substitutions, deletions, insertions, sentences: 1, sentenceErrors: errors > 0 ? 1 : 0 } };
}

/** The number of edits: substitutions + deletions + insertions. */
export function errorsOf(counts: ErrorCounts): number {
  return counts.substitutions + counts.deletions + counts.insertions;
}

/** Counts of two sets of utterances together. */
export function addErrorCounts(a: ErrorCounts, b: ErrorCounts): ErrorCounts {
  return {
    words: a.words + b.words,
    correct: a.correct + b.correct,
    substitutions: a.substitutions + b.substitutions,
    deletions: a.deletions + b.deletions,
    insertions: a.insertions + b.insertions,
    sentences: a.sentences + b.sentences,
    sentenceErrors: a.sentenceErrors + b.sentenceErrors,
  };
}

/** Errors per reference word (0 when there are no reference words and no errors, Infinity with errors). */
export function wordErrorRate(counts: ErrorCounts): number {
  const errors = errorsOf(counts);
  return counts.words > 0 ? errors / counts.words : errors > 0 ? Infinity : 0;
}

/** The fraction of utterances with any error. */
export function sentenceErrorRate(counts: ErrorCounts): number {
  return counts.sentences > 0 ? counts.sentenceErrors / counts.sentences : 0;
}
