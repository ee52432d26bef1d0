import { sequenceS } from 'fp-ts/lib/Apply.js';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { addSentence, emptyBigramCounts, estimateBigram, type Bigram, type BigramCounts } from './bigram.js';
import { describeErrors, NonNegativeInt, numberWhere, PositiveFinite } from '../codec.js';
import { lexicon as sortedLexicon, type Lexicon } from '../corpus/lexicon.js';
import { countSilences, emptySilenceCounts, optionalSilence, type OptionalSilence, type SilenceCounts } from './optional-silence.js';
import { countStates, SILENCE_PRIOR_FACTOR, statePriors } from './priors.js';
import { STATES_PER_PHONE, type StateInventory } from '../corpus/states.js';
import { decodeTensor, encodeTensor } from '../formats/tensors.js';
import { countTransitions, transitionProbabilities } from './transitions.js';

/**
 * Everything a hybrid decoder needs besides the network, estimated from the
 * training split of a corpus and stored in the checkpoint (its `decoding`
 * field, docs/checkpoint.md): the states' frame counts (for the priors), the
 * HMM transition probabilities, the lexicon, where silences fall, and a word
 * bigram. State ids are the network's outputs; their phones come from the
 * checkpoint's state names (`phone_k`, see states.ts).
 */
export interface DecodingModel {
  readonly lexicon: Lexicon;
  /** [S] training frames aligned to each state */
  readonly stateCounts: Float32Array;
  /** silence counts are divided by this in the priors (the paper's 2.7) */
  readonly silenceFactor: number;
  /** [S, 2] self-loop and forward probability of each state */
  readonly transitions: Float32Array;
  readonly silence: OptionalSilence;
  readonly bigram: Bigram;
}

/** The state ids of silence (phone 0). */
export const SILENCE_STATES: readonly number[] = Array.from({ length: STATES_PER_PHONE }, (_, k) => k);

/** The state priors of `model`, silence weighted down by `silenceFactor` (default: the model's own). */
export function priorsOf(model: DecodingModel, silenceFactor = model.silenceFactor): Float32Array {
  return statePriors(model.stateCounts, SILENCE_STATES, silenceFactor);
}

/**
 * The decoding model as a flat start's realignments use it: every HMM
 * transition and every optional silence (before, between and after the
 * words) at even odds, what add-one estimates give before anything is
 * counted. Estimated from the alignment before, each would hold the next
 * realignment to it: the uniform alignment has no pause between words, so a
 * pause would cost more than the network could ever outweigh; and a phone
 * squeezed to a frame a state once would get self-loops so unlikely that it
 * never grew back, while its neighbours' grew (measured on SynthDigits, the
 * consonants of "one", "seven" and "three" shrank to 3 frames in three
 * realignments, and the vowels beside them doubled). At even odds every path
 * through a transcript costs the same, and the network alone says where the
 * states lie.
 *
 * @example realignmentModel(await corpusDecodingModel(corpus, {}, 'runs/R/alignments-0.txt')).silence // { start: 0.5, between: 0.5, end: 0.5 }
 */
export function realignmentModel(model: DecodingModel): DecodingModel {
  return { ...model, silence: { start: 0.5, between: 0.5, end: 0.5 }, transitions: new Float32Array(model.transitions.length).fill(0.5) };
}

/** Running counts over training utterances, for {@link estimateDecodingModel}. */
export interface DecodingStatistics {
  readonly inventory: StateInventory;
  readonly lexicon: Lexicon;
  /** the bigram's vocabulary: the lexicon's words, sorted */
  readonly words: readonly string[];
  readonly wordIndex: ReadonlyMap<string, number>;
  readonly states: Float64Array;
  readonly transitions: Float64Array;
  readonly silences: SilenceCounts;
  readonly sentences: BigramCounts;
}

export function decodingStatistics(inventory: StateInventory, pronunciations: Lexicon): DecodingStatistics {
  const lexicon = sortedLexicon(pronunciations); // the words' order is the bigram's
  const words = [...new Set(lexicon.map((p) => p.word))];
  const S = inventory.names.length;
  return {
    inventory,
    lexicon,
    words,
    wordIndex: new Map(words.map((w, i) => [w, i])),
    states: new Float64Array(S),
    transitions: new Float64Array(2 * S),
    silences: emptySilenceCounts(),
    sentences: emptyBigramCounts(words.length),
  };
}

/**
 * Adds one training utterance: its frame alignment and its words. Refused
 * (nothing added): a word not in the lexicon, a state outside the inventory.
 */
export function addTrainingUtterance(stats: DecodingStatistics, alignment: Int32Array, words: readonly string[]): E.Either<string, DecodingStatistics> {
  const S = stats.states.length;
  const indices = new Int32Array(words.length);
  for (let k = 0; k < words.length; k++) {
    const index = stats.wordIndex.get(words[k]);
    if (index === undefined) return E.left(`the word "${words[k]}" is not in the lexicon`);
    indices[k] = index;
  }
  for (let t = 0; t < alignment.length; t++) {
    if (!(alignment[t] >= 0 && alignment[t] < S)) return E.left(`frame ${t}: state ${alignment[t]} is outside [0, ${S})`);
  }
  countStates(alignment, stats.states);
  countTransitions(alignment, stats.transitions);
  countSilences(alignment, words.length, stats.silences);
  addSentence(stats.sentences, indices);
  return E.right(stats);
}

export interface EstimationOptions {
  /** silence's weight-down in the priors; default 2.7 */
  readonly silenceFactor?: number;
  /** the bigram's absolute discount; default 0.5 */
  readonly discount?: number;
}

/**
 * The decoding model of the counts so far.
 *
 * @example estimateDecodingModel(stats).stateCounts
 */
export function estimateDecodingModel(stats: DecodingStatistics, options: EstimationOptions = {}): DecodingModel {
  return {
    lexicon: stats.lexicon,
    stateCounts: Float32Array.from(stats.states),
    silenceFactor: options.silenceFactor ?? SILENCE_PRIOR_FACTOR,
    transitions: transitionProbabilities(stats.transitions),
    silence: optionalSilence(stats.silences),
    bigram: estimateBigram(stats.words, stats.sentences, options.discount ?? 0.5),
  };
}

const OpenProbability = numberWhere('a probability strictly between 0 and 1', (n) => n > 0 && n < 1);

const DecodingCodec = t.type({
  lexicon: t.array(t.tuple([t.string, t.array(t.string)]), 'a list of [word, [phone, …]]'),
  stateCounts: t.unknown,
  silenceFactor: PositiveFinite,
  transitions: t.unknown,
  silence: t.type({ start: OpenProbability, between: OpenProbability, end: OpenProbability }),
  bigram: t.type({
    words: t.array(t.string),
    unigram: t.unknown,
    backoff: t.unknown,
    history: t.array(NonNegativeInt),
    next: t.array(NonNegativeInt),
    probabilities: t.unknown,
  }),
});

/** The checkpoint's `decoding` map: tensors as float32 bins, the rest plain MessagePack. */
export function encodeDecodingModel(model: DecodingModel): Record<string, unknown> {
  const S = model.stateCounts.length;
  const { bigram } = model;
  const V = bigram.words.length;
  return {
    lexicon: model.lexicon.map((p) => [p.word, [...p.phones]]),
    stateCounts: encodeTensor([S], model.stateCounts),
    silenceFactor: model.silenceFactor,
    transitions: encodeTensor([S, 2], model.transitions),
    silence: { start: model.silence.start, between: model.silence.between, end: model.silence.end },
    bigram: {
      words: [...bigram.words],
      unigram: encodeTensor([V + 1], bigram.unigram),
      backoff: encodeTensor([V + 1], bigram.backoff),
      history: Array.from(bigram.history),
      next: Array.from(bigram.next),
      probabilities: encodeTensor([bigram.probabilities.length], bigram.probabilities),
    },
  };
}

/**
 * Reads a checkpoint's `decoding` map for a network of `states` outputs, or
 * says what is wrong with it.
 */
export function decodeDecodingModel(value: unknown, states: number): E.Either<string, DecodingModel> {
  const decoded = DecodingCodec.decode(value);
  if (E.isLeft(decoded)) return E.left(describeErrors(decoded.left));
  const d = decoded.right;
  let lexicon: Lexicon;
  try {
    lexicon = sortedLexicon(d.lexicon.map(([word, phones]) => ({ word, phones })));
  } catch (error) {
    return E.left(`lexicon: ${(error as Error).message}`);
  }
  const V = d.bigram.words.length;
  const n = d.bigram.history.length;
  const tensors = sequenceS(E.Apply)({
    stateCounts: decodeTensor('stateCounts', d.stateCounts, [states]),
    transitions: decodeTensor('transitions', d.transitions, [states, 2]),
    unigram: decodeTensor('bigram.unigram', d.bigram.unigram, [V + 1]),
    backoff: decodeTensor('bigram.backoff', d.bigram.backoff, [V + 1]),
    probabilities: decodeTensor('bigram.probabilities', d.bigram.probabilities, [n]),
  });
  if (E.isLeft(tensors)) return tensors;
  const { stateCounts, transitions, unigram, backoff, probabilities } = tensors.right;
  if (stateCounts.some((c) => c < 0)) return E.left('stateCounts holds a negative count');
  if (transitions.some((p) => !(p >= 0 && p <= 1))) return E.left('transitions holds a value outside [0, 1]');
  if ([unigram, probabilities].some((a) => a.some((p) => !(p >= 0 && p <= 1))) || backoff.some((b) => b < 0)) {
    return E.left('bigram holds a probability outside [0, 1] or a negative back-off weight');
  }
  if (d.bigram.next.length !== n) return E.left(`bigram.history has ${n} entries, bigram.next ${d.bigram.next.length}`);
  for (let i = 0; i < n; i++) {
    const [h, w] = [d.bigram.history[i], d.bigram.next[i]];
    if (h > V || w > V) return E.left(`bigram pair ${i} (${h}, ${w}) is outside the ${V} words`);
    if (i > 0 && (h < d.bigram.history[i - 1] || (h === d.bigram.history[i - 1] && w <= d.bigram.next[i - 1]))) {
      return E.left(`bigram pairs must ascend by (history, next) without repeats (pair ${i})`);
    }
  }
  const lexiconWords = [...new Set(lexicon.map((p) => p.word))];
  if (lexiconWords.length !== V || lexiconWords.some((w, i) => w !== d.bigram.words[i])) {
    return E.left("bigram.words must be the lexicon's words in order");
  }
  return E.right({
    lexicon,
    stateCounts,
    silenceFactor: d.silenceFactor,
    transitions,
    silence: d.silence,
    bigram: { words: d.bigram.words, unigram, backoff, history: Int32Array.from(d.bigram.history), next: Int32Array.from(d.bigram.next), probabilities },
  });
}
