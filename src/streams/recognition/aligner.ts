import * as E from 'fp-ts/lib/Either.js';
import type { Checkpoint } from '../../model/formats/checkpoint.js';
import { parseStates, STATES_PER_PHONE } from '../../model/corpus/states.js';
import { pronunciationsByWord } from '../../model/corpus/lexicon.js';
import { timedUnits, transcriptGraph, type TimedUnit } from '../../model/decoding/transcript-graph.js';
import type { FrameSpan } from '../../ops/dsp/speech-span.js';
import { forcedAlign } from '../../ops/search/forced-align.js';
import { DEFAULT_RECOGNIZER_OPTIONS, recognizerOf, type Recognizer, type RecognizerOptions, type UtteranceFeatures } from './recognizer.js';

/** An utterance forced-aligned to its transcript: a state per frame, and its words and phones (silence included) with their frames. */
export interface AlignedUtterance {
  readonly states: Int32Array;
  readonly words: readonly TimedUnit[];
  readonly phones: readonly TimedUnit[];
  /** the best path's log score (acoustic scores scaled) */
  readonly score: number;
}

export interface AlignerOptions extends RecognizerOptions {
  /** paths scoring this far below the frame's best are dropped (Infinity: exact) */
  readonly alignBeam: number;
}

/**
 * How lstmp aligns unless told otherwise: acoustic scores weighted 0.1
 * against full transition scores, as Kaldi's aligners weigh them (the
 * decoder's 0.3 suits a search among words; a forced alignment has its
 * words and only places them: measured on a corpus of known alignments,
 * 0.1 against 1 put 98 % of frames in the right phone, 0.3 against 0.3 94 %).
 */
export const DEFAULT_ALIGNER_OPTIONS: Required<Pick<AlignerOptions, 'acousticScale' | 'transitionScale' | 'alignBeam'>> & AlignerOptions = {
  ...DEFAULT_RECOGNIZER_OPTIONS,
  acousticScale: 0.1,
  transitionScale: 1,
  alignBeam: 60,
};

/** Forced alignment with a trained model: a transcript's best path through the frames of its audio. */
export interface Aligner {
  /**
   * the features' alignment to `words`, or why there is none: a word not in
   * the lexicon, too few frames, no path within the beam. With `speech`, the
   * words lie within those frames and the frames outside are silence.
   */
  align(utterance: UtteranceFeatures, words: readonly string[], speech?: FrameSpan): E.Either<string, AlignedUtterance>;
}

/** Rules out every state but silence's on the frames outside `speech`, in scores [T, S]: silence is phone 0, its states the first (parseStates insists). */
function silenceOutside(scores: Float32Array, frames: number, S: number, speech: FrameSpan): void {
  for (let t = 0; t < frames; t++) {
    if (t >= speech.start && t < speech.end) continue;
    scores.fill(-Infinity, t * S + STATES_PER_PHONE, (t + 1) * S);
  }
}

/**
 * An aligner from a checkpoint that can recognise (recognizerOf, or the
 * recognizer already made of it, whose network it shares): the same
 * scaled acoustic scores the decoder searches, through the HMM of each
 * transcript (transcriptGraph: the decoder's words, optional silences and
 * transition scores), by forced Viterbi alignment.
 *
 * @example
 * const aligner = orFail(alignerOf(loadCheckpoint('ck.msgpack'), { ...DEFAULT_RECOGNIZER_OPTIONS, alignBeam: 40 }));
 * aligner.align(features, ['two', 'oh'])
 */
export function alignerOf(checkpoint: Checkpoint, options: AlignerOptions, recognizer: E.Either<string, Recognizer> = recognizerOf(checkpoint, options)): E.Either<string, Aligner> {
  if (E.isLeft(recognizer)) return recognizer;
  const inventory = parseStates((checkpoint.states ?? []).map((name) => `${name}\n`).join(''));
  if (E.isLeft(inventory)) return E.left(`its states cannot be aligned to: ${inventory.left}`);
  const decoding = checkpoint.decoding!;
  const byWord = pronunciationsByWord(decoding.lexicon);
  const S = checkpoint.config.outputs;
  return E.right({
    align(utterance, words, speech) {
      const graph = transcriptGraph(decoding, inventory.right, words, options);
      if (E.isLeft(graph)) return graph;
      const scores = recognizer.right.scores(utterance);
      if (speech !== undefined) silenceOutside(scores, utterance.frames, S, speech);
      const found = forcedAlign(graph.right, scores, utterance.frames, S, options.alignBeam);
      if (found === null) {
        // Each phone's states take a frame at least: the shortest pronunciations say how few frames can hold the words.
        const minimum = STATES_PER_PHONE * Math.max(1, words.reduce((n, word) => n + Math.min(...(byWord.get(word) ?? [[]]).map((p) => p.length)), 0));
        if (utterance.frames < minimum) return E.left(`${utterance.frames} frames are too few for its ${words.length} words (${minimum} states at the least)`);
        if (speech !== undefined && speech.end - speech.start < minimum) {
          return E.left(`the ${speech.end - speech.start} frames [${speech.start}, ${speech.end}) it may speak in are too few for its ${words.length} words (${minimum} states at the least)`);
        }
        return E.left(`no path through its transcript within the beam (${options.alignBeam})${speech === undefined ? '' : ` with its words in frames [${speech.start}, ${speech.end})`}`);
      }
      const states = Int32Array.from(found.nodes, (node) => graph.right.outputs[node]);
      return E.right({ states, ...timedUnits(graph.right, words, found.nodes), score: found.score });
    },
  });
}
