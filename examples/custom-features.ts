/**
 * Example: a feature stage of your own, inserted into the pipeline.
 *
 *     npx tsx examples/custom-features.ts [CORPUS_DIR]
 *
 * `withDeltas()` appends to each frame its delta features (the slope of every
 * filterbank channel over time), as classic ASR front ends do: 40 → 80
 * inputs. Any OperatorFunction<LabelledUtterance, LabelledUtterance> can go
 * between `features` and `delayTargets`; the dev set must pass through the
 * same stages, so it is scored by a pipeline composed the same way.
 */
import { lastValueFrom, map, type OperatorFunction } from 'rxjs';
import { bptt, chunk, corpusStates, decodeModelConfig, decodeSchedule, delayTargets, features, frameAccuracy, initParameters, type LabelledUtterance, networkOf, orFail, runningScore, score, sgd, utterances } from '../src/index.js';
import { runExample } from './run.js';

/**
 * Appends delta features: for channel j at frame t, (x[t+1, j] − x[t−1, j]) / 2,
 * the edges repeating the first and last frames. Doubles `dim`.
 *
 * @example utterances$.pipe(features({ normalisation: 'utterance' }), withDeltas(), delayTargets(5))
 */
export function withDeltas(): OperatorFunction<LabelledUtterance, LabelledUtterance> {
  return map((utterance) => {
    const { frames, dim, features: x } = utterance;
    const out = new Float32Array(frames * 2 * dim);
    for (let t = 0; t < frames; t++) {
      const before = Math.max(t - 1, 0) * dim;
      const after = Math.min(t + 1, frames - 1) * dim;
      out.set(x.subarray(t * dim, (t + 1) * dim), t * 2 * dim);
      for (let j = 0; j < dim; j++) out[t * 2 * dim + dim + j] = (x[after + j] - x[before + j]) / 2;
    }
    return { ...utterance, dim: 2 * dim, features: out };
  });
}

export interface CustomFeaturesResult {
  readonly inputs: number;
  readonly updates: number;
  readonly devFrameAccuracy: number;
}

export async function main({ corpus, epochs = 5 }: { readonly corpus: string; readonly epochs?: number }): Promise<CustomFeaturesResult> {
  const config = orFail(decodeModelConfig({ inputs: 80, cells: 16, projection: 8, layers: 1, outputs: corpusStates(corpus).length }));
  const network = networkOf(config, initParameters(config, 1));
  const schedule = orFail(decodeSchedule({ learningRate: 0.02 }));
  const chunking = { streams: 4, steps: 20 };
  const delay = 5;
  // The front end, shared by training and scoring.
  const frontEnd = (split: 'train' | 'dev', seed: number) =>
    utterances(corpus, { split, shuffle: split === 'train' ? { seed, buffer: 100 } : undefined }).pipe(
      features({ normalisation: 'utterance' }),
      withDeltas(),
      delayTargets(delay),
      chunk(chunking),
    );

  let updates = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    await lastValueFrom(frontEnd('train', epoch).pipe(bptt(network), sgd(network, schedule), map(() => updates++)));
  }
  const dev = await lastValueFrom(frontEnd('dev', 0).pipe(score(network), runningScore()));
  return { inputs: config.inputs, updates, devFrameAccuracy: frameAccuracy(dev) };
}

await runExample(
  import.meta.url,
  (corpus) => main({ corpus }),
  (r) => `${r.inputs} inputs per frame (filterbank + deltas), ${r.updates} updates; dev frame accuracy ${(100 * r.devFrameAccuracy).toFixed(1)}%`,
);
