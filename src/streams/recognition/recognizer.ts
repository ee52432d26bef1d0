import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { Checkpoint } from '../../model/formats/checkpoint.js';
import { priorsOf } from '../../model/decoding/decoding-model.js';
import { compileGraph, type DecodingGraph, type GraphOptions } from '../../model/decoding/graph.js';
import { viewsOf } from '../../model/network/layout.js';
import type { LstmpSpec, LstmpWeights } from '../../ops/nn/lstmp.js';
import { parseStates } from '../../model/corpus/states.js';
import { acousticScores, type AcousticScaling } from '../../ops/search/acoustic-scores.js';
import { chunkedForward } from '../../ops/nn/chunked-forward.js';
import { cmvnTransform } from '../../ops/dsp/cmvn.js';
import { fbankPlan, type FbankPlan } from '../../ops/dsp/fbank.js';
import type { Kernels } from '../../ops/kernels/kernels.js';
import { viterbiSearch, type SearchOptions } from '../../ops/search/viterbi.js';
import { createWasmKernels } from '../../ops/kernels/wasm/wasm-kernels.js';
import { delayUtterance } from '../pipeline/delay-targets.js';
import { featuresOf, type Normalisation } from '../pipeline/features.js';

export interface RecognizerOptions extends AcousticScaling, SearchOptions, GraphOptions {
  /** priors from the model's state counts with this silence factor instead of the checkpoint's priors */
  readonly silenceFactor?: number;
  /** what the network runs on; default: WebAssembly SIMD kernels of its own */
  readonly kernels?: Kernels;
}

/**
 * Acoustic scores weigh 0.1 against the HMM's transitions (0.3) and the
 * bigram, as Kaldi weighs a hybrid network's: on voices the network never
 * heard its posteriors are confidently wrong, and a lighter acoustic weight
 * lets durations and the word loop overrule them. Measured with a 2-layer
 * LSTMP 192/96 on SynthDigits: held-out voices 10.6 % WER at 0.3, 5.9 % at
 * 0.1; Festival's KED voice (never synthesized by lstmp) 14.1 % and 13.1 %;
 * dev (voices it trained on) 0.42 % and 0.68 % (a few more deletions).
 * Those deletions are what the word bonus of 2 is for, chosen on dev
 * (3.09 % WER at 0, 2.12 % at 1, 1.78 % at 2, 1.86 % at 3, with the main
 * job's model): held-out voices 7.3 % → 7.0 %, KED 14.1 % → 11.5 %.
 * Beam 12 already loses nothing.
 */
export const DEFAULT_RECOGNIZER_OPTIONS: RecognizerOptions & Required<AcousticScaling & SearchOptions & GraphOptions> = { acousticScale: 0.1, priorScale: 1, transitionScale: 0.3, wordBonus: 2, beam: 16, maxActive: 7000 };

/** What a recognizer heard in one utterance. */
export interface Recognition {
  readonly words: readonly string[];
  /** the frame each word ends before */
  readonly ends: Int32Array;
  /** log score of the best path (acoustic scores scaled) */
  readonly score: number;
  /** false when no path could end in silence or a word end: the words are the best partial path */
  readonly final: boolean;
  readonly frames: number;
}

/** Features of one utterance, row-major [frames, dim]. */
export interface UtteranceFeatures {
  readonly frames: number;
  readonly dim: number;
  readonly features: Float32Array;
}

/** The acoustic half of a recognizer: the network, what it runs on, and how its outputs become scores. */
export interface AcousticModel {
  readonly config: LstmpSpec;
  readonly weights: LstmpWeights;
  readonly kernels: Kernels;
  /** the label delay: output row t + delay scores frame t */
  readonly delay: number;
  readonly priors: Float32Array;
}

/** A trained model ready to transcribe: network, priors and decoding graph, with the features it was trained on. */
export interface Recognizer {
  readonly graph: DecodingGraph;
  readonly acoustic: AcousticModel;
  /** the options it was made with */
  readonly options: RecognizerOptions;
  readonly fbank: FbankPlan;
  readonly normalisation: Normalisation;
  /** the scaled acoustic log-likelihoods [frames, S] of an utterance, the label delay undone */
  scores(utterance: UtteranceFeatures): Float32Array;
  recognize(utterance: UtteranceFeatures): Recognition;
  /** the features of WAV bytes (any rate), then {@link recognize}; or what is wrong with the WAV */
  recognizeWav(wav: Uint8Array): E.Either<string, Recognition>;
}

/** Forward passes run this many frames at a time (bounds the activations held). */
const CHUNK_STEPS = 256;

/**
 * A hybrid recognizer from a checkpoint that carries a decoding model
 * (`decoding`), state names and, optionally, priors and feature statistics.
 * Each utterance: features padded with its last frame `delay` times (as in
 * training), the network's log-posteriors, their rows delay … delay+T−1 as
 * scaled likelihoods, a Viterbi beam search. Refused, in words: a checkpoint
 * without a decoding model or state names, or whose pieces do not fit.
 *
 * @example
 * const recognizer = orFail(recognizerOf(loadCheckpoint('ck.msgpack'), DEFAULT_RECOGNIZER_OPTIONS), 'ck.msgpack');
 * recognizer.recognizeWav(readBytes('digits.wav'))
 */
export function recognizerOf(ck: Checkpoint, options: RecognizerOptions): E.Either<string, Recognizer> {
  const { config, decoding } = ck;
  if (!decoding) return E.left('no decoding model (lexicon, transitions, bigram): train on a corpus with lexicon.txt, or give --corpus');
  if (!ck.states) return E.left('no state names');
  const S = config.outputs;
  if (ck.states.length !== S || decoding.stateCounts.length !== S) {
    return E.left(`the network has ${S} outputs, the decoding model ${decoding.stateCounts.length} states and ${ck.states.length} state names`);
  }
  const inventory = parseStates(ck.states.map((name) => `${name}\n`).join(''));
  if (E.isLeft(inventory)) return E.left(`its states cannot be decoded: ${inventory.left}`);
  const graph = compileGraph(decoding, inventory.right, options);
  if (E.isLeft(graph)) return graph;
  const priors = options.silenceFactor !== undefined || !ck.priors ? priorsOf(decoding, options.silenceFactor) : ck.priors;
  const kernels = options.kernels ?? createWasmKernels();
  const parameters = kernels.alloc(ck.parameters.length);
  parameters.set(ck.parameters);
  const weights = viewsOf(config, parameters);
  const search = viterbiSearch(graph.right, options);
  const delay = ck.delay ?? 0;
  const fbank = fbankPlan({ bins: config.inputs });
  const normalisation: Normalisation = ck.cmvn ? cmvnTransform(ck.cmvn) : 'utterance';

  const scores = (utterance: UtteranceFeatures): Float32Array => {
    const T = utterance.frames;
    const out = new Float32Array(T * S);
    if (T === 0) return out;
    const padded = delayUtterance({ id: '', ...utterance, targets: new Int32Array(T) }, delay);
    const logp = chunkedForward(kernels, config, weights, padded.features, padded.frames, CHUNK_STEPS);
    acousticScores(logp, delay, T, S, priors, options, out);
    return out;
  };
  const recognize = (utterance: UtteranceFeatures): Recognition => {
    if (utterance.dim !== config.inputs) throw new RangeError(`features have ${utterance.dim} dimensions, the network takes ${config.inputs}`);
    search.advance(scores(utterance), utterance.frames, S);
    const { words, ends, score, final } = search.finish();
    return { words: Array.from(words, (w) => graph.right.words[w]), ends, score, final, frames: utterance.frames };
  };
  return E.right({
    graph: graph.right,
    acoustic: { config, weights, kernels, delay, priors },
    options,
    fbank,
    normalisation,
    scores,
    recognize,
    recognizeWav: (wav) => pipe(featuresOf(wav, fbank, normalisation), E.map((m) => recognize({ frames: m.frames, dim: m.bins, features: m.data }))),
  });
}
