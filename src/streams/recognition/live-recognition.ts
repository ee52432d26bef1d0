import { InputError } from '../../errors.js';
import { STATES_PER_PHONE } from '../../model/corpus/states.js';
import { createWorkspace, forward, zeroState, type Workspace } from '../../ops/nn/lstmp.js';
import { acousticScores } from '../../ops/search/acoustic-scores.js';
import { viterbiSearch, type SearchResult } from '../../ops/search/viterbi.js';
import { featureStream, type FeatureRows } from './feature-stream.js';
import type { Recognizer } from './recognizer.js';

/** What a live recognizer says: the words so far (partial), or words that can no longer change (final). */
export interface Hypothesis {
  readonly type: 'partial' | 'final';
  readonly words: readonly string[];
  /** seconds from the start of the audio: where the words' speech began and where the last one ended */
  readonly start: number;
  readonly end: number;
  /**
   * final: how long after the end of its last word's audio it was published,
   * ms: the audio heard since (the label delay, the search settling, the
   * endpoint) plus the time taken to process the block that published it.
   * partial: the time taken to process the block.
   */
  readonly latencyMs: number;
}

export interface LiveOptions {
  /** the audio's sample rate (resampled to the model's) */
  readonly sampleRate: number;
  /**
   * Finals wait for this much silence on the best path (an endpoint), then
   * carry every word settled since the last; 0 publishes each word as soon
   * as every surviving path agrees on it.
   */
  readonly endpointMs?: number;
  /** what the clock is (default: performance.now) — for tests */
  readonly now?: () => number;
}

/** Half a second of silence ends a segment, as in the second of Kaldi's online endpointing rules (0.5 s of silence after something was recognised). */
export const DEFAULT_ENDPOINT_MS = 500;

/**
 * One audio stream being recognised: blocks of samples in, hypotheses out.
 * {@link liveRecognition} makes one.
 */
export interface LiveRecognition {
  /** the hypotheses `block` gives rise to: new partial words, finals at endpoints */
  accept(block: Float32Array): Hypothesis[];
  /** the end of the audio: the last final (the batch search's result, less what was published) */
  end(): Hypothesis[];
}

/** The network advances this many steps per call while frames are plentiful; the rest go one at a time. */
const BLOCK_STEPS = 16;

/**
 * Recognition of audio as it arrives, with the recognizer's network and
 * search carried across blocks of any size: features as {@link featureStream}
 * makes them, the network's state kept from block to block, its output
 * rows (label delay undone) fed to a Viterbi search of its own, and at the
 * end the last frame repeated `delay` times as batch recognition pads.
 *
 * Finals are words every surviving path of the search agrees on, so no
 * later audio can change them and together they are exactly what
 * {@link Recognizer.recognize} gives for the whole audio (given the same
 * features: a checkpoint with global feature statistics, as lstmp train
 * writes). They are published at endpoints: when the best path has been in
 * silence for `endpointMs`.
 *
 * @example
 * const live = liveRecognition(recognizer, { sampleRate: 16000 });
 * for (const block of blocks) for (const h of live.accept(block)) console.log(h.type, h.words.join(' '));
 * live.end();
 */
export function liveRecognition(recognizer: Recognizer, options: LiveOptions): LiveRecognition {
  const { config, weights, kernels, delay, priors } = recognizer.acoustic;
  const now = options.now ?? (() => performance.now());
  const S = config.outputs;
  const I = config.inputs;
  const secondsPerFrame = recognizer.fbank.frameShift / recognizer.fbank.options.sampleRate;
  const endpointFrames = Math.ceil((options.endpointMs ?? DEFAULT_ENDPOINT_MS) / 1000 / secondsPerFrame);
  const features = featureStream(recognizer.fbank, options.sampleRate, recognizer.normalisation);
  const search = viterbiSearch(recognizer.graph, recognizer.options);
  const state = zeroState(config, 1);
  const block = createWorkspace(config, BLOCK_STEPS, 1);
  const single = createWorkspace(config, 1, 1);
  const scores = new Float32Array(S);
  const last = new Float32Array(I);
  let steps = 0;
  let frames = 0;
  let silentRun = 0;
  let speechStart = -1;
  let published = 0;
  let publishedEnd = 0;
  let lastPartial: readonly string[] = [];
  let ended = false;

  /** Silence is phone 0: states 0 … STATES_PER_PHONE − 1. */
  const isSilence = (column: number) => column >= 0 && column < STATES_PER_PHONE;

  function runNetwork(ws: Workspace, x: Float32Array): void {
    forward(kernels, config, weights, x, state, null, ws);
    for (let t = 0; t < ws.steps; t++, steps++) {
      if (steps < delay) continue;
      acousticScores(ws.logp, t, 1, S, priors, recognizer.options, scores);
      search.advance(scores, 1, S);
      frames++;
      const column = search.bestOutput();
      if (isSilence(column)) silentRun++;
      else {
        silentRun = 0;
        if (speechStart < 0) speechStart = frames - 1;
      }
    }
  }

  function feed(rows: FeatureRows): void {
    let t = 0;
    for (; t + BLOCK_STEPS <= rows.frames; t += BLOCK_STEPS) runNetwork(block, rows.data.subarray(t * I, (t + BLOCK_STEPS) * I));
    for (; t < rows.frames; t++) runNetwork(single, rows.data.subarray(t * I, (t + 1) * I));
    if (rows.frames > 0) last.set(rows.data.subarray((rows.frames - 1) * I, rows.frames * I));
  }

  const wordsOf = (result: SearchResult, from: number) => Array.from(result.words.subarray(from), (w) => recognizer.graph.words[w]);

  /** The words of `result` beyond those published, as a final. */
  function publish(result: SearchResult, began: number): Hypothesis[] {
    if (result.words.length <= published) return [];
    const words = wordsOf(result, published);
    const previousEnd = published > 0 ? result.ends[published - 1] : 0;
    const start = Math.max(speechStart >= 0 ? speechStart : previousEnd, previousEnd, publishedEnd);
    const end = result.ends[result.words.length - 1];
    published = result.words.length;
    publishedEnd = end;
    speechStart = -1;
    lastPartial = [];
    const heard = features.samples / options.sampleRate - end * secondsPerFrame;
    return [{ type: 'final', words, start: start * secondsPerFrame, end: end * secondsPerFrame, latencyMs: 1000 * heard + (now() - began) }];
  }

  function partial(began: number): Hypothesis[] {
    const best = search.partial();
    const words = wordsOf(best, Math.min(published, best.words.length));
    if (words.length === 0 || (words.length === lastPartial.length && words.every((w, i) => w === lastPartial[i]))) return [];
    lastPartial = words;
    const previousEnd = published > 0 && best.words.length >= published ? best.ends[published - 1] : publishedEnd;
    const start = Math.max(speechStart >= 0 ? speechStart : previousEnd, previousEnd);
    return [{ type: 'partial', words, start: start * secondsPerFrame, end: best.ends[best.words.length - 1] * secondsPerFrame, latencyMs: now() - began }];
  }

  return {
    accept(samples) {
      if (ended) throw new Error('audio after the end of the stream');
      for (let i = 0; i < samples.length; i++) {
        if (!Number.isFinite(samples[i])) throw new InputError(`audio sample ${features.samples + i} is ${samples[i]}, not a finite number`);
      }
      const began = now();
      feed(features.push(samples));
      // At an endpoint the best path's words become final: paths with other words are dropped.
      if (endpointFrames > 0 && silentRun >= endpointFrames) search.commit();
      const finals = endpointFrames === 0 || silentRun >= endpointFrames ? publish(search.settled(), began) : [];
      return [...finals, ...partial(began)];
    },
    end() {
      if (ended) return [];
      ended = true;
      const began = now();
      feed(features.end());
      if (steps > 0) for (let k = 0; k < delay; k++) runNetwork(single, last);
      return publish(search.finish(), began);
    },
  };
}
