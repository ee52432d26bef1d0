/**
 * Example: the training pipeline with a chunking and a schedule of your own.
 *
 *     npx tsx examples/custom-chunking.ts [CORPUS_DIR]
 *
 * The paper's threads run B = 4 streams of T = 20 steps. Here: 2 streams of 10
 * steps (shorter truncation, more updates per frame), a label delay of 2, and a
 * schedule that starts high and halves every 10,000 frames, with gradient
 * clipping. One thread, so the run is reproducible.
 */
import { lastValueFrom, reduce, tap } from 'rxjs';
import { bptt, chunk, corpusStates, decodeModelConfig, decodeSchedule, delayTargets, evaluate, features, frameAccuracy, initParameters, localClock, networkOf, orFail, sgd, utterances } from '../src/index.js';
import { runExample } from './run.js';

export interface CustomChunkingOptions {
  readonly corpus: string;
  readonly streams?: number;
  readonly steps?: number;
  readonly epochs?: number;
}

export interface CustomChunkingResult {
  /** the shape of every chunk trained on: [T, B] */
  readonly shapes: readonly string[];
  readonly updates: number;
  readonly frames: number;
  /** the learning rate at the first and the last update */
  readonly firstRate: number;
  readonly lastRate: number;
  readonly devFrameAccuracy: number;
}

export async function main({ corpus, streams = 2, steps = 10, epochs = 5 }: CustomChunkingOptions): Promise<CustomChunkingResult> {
  const config = orFail(decodeModelConfig({ inputs: 40, cells: 16, projection: 8, layers: 1, outputs: corpusStates(corpus).length }));
  const network = networkOf(config, initParameters(config, 1));
  const schedule = orFail(decodeSchedule({ learningRate: 0.02, decay: 0.5, decayFrames: 10_000, biasRateFactor: 0.5, gradientClip: 5 }));
  const clock = localClock(); // the schedule's position, carried across epochs
  const delay = 2;

  const shapes = new Set<string>();
  let totals = { updates: 0, frames: 0, firstRate: NaN, lastRate: NaN };
  for (let epoch = 0; epoch < epochs; epoch++) {
    totals = await lastValueFrom(
      utterances(corpus, { split: 'train', shuffle: { seed: epoch, buffer: 100 } }).pipe(
        features({ normalisation: 'utterance' }),
        delayTargets(delay),
        chunk({ streams, steps }),
        tap((c) => shapes.add(`${c.steps}x${c.streams}`)),
        bptt(network),
        sgd(network, schedule, clock),
        reduce(
          (sum, step) => ({
            updates: sum.updates + 1,
            frames: sum.frames + step.frames,
            firstRate: Number.isNaN(sum.firstRate) ? step.learningRate : sum.firstRate,
            lastRate: step.learningRate,
          }),
          totals,
        ),
      ),
    );
  }
  // Scored as trained: the same features, delay and chunking.
  const dev = await evaluate(corpus, network, { split: 'dev', normalisation: 'utterance', chunking: { streams, steps }, delay });
  return { ...totals, shapes: [...shapes], devFrameAccuracy: frameAccuracy(dev) };
}

await runExample(
  import.meta.url,
  (corpus) => main({ corpus }),
  (r) => `${r.updates} updates on ${r.frames} frames in chunks of ${r.shapes.join(', ')} (T×B); learning rate ${r.firstRate.toExponential(2)} → ${r.lastRate.toExponential(2)}; dev frame accuracy ${(100 * r.devFrameAccuracy).toFixed(1)}%`,
);
