import { lastValueFrom, map, range, takeWhile } from 'rxjs';
import type { ModelConfig } from '../../model/network/config.js';
import { networkOf } from '../../model/network/network.js';
import type { Schedule } from '../../model/network/schedule.js';
import { mulberry32 } from '../../ops/random.js';
import { bptt } from '../pipeline/bptt.js';
import type { Chunk } from '../pipeline/chunk.js';
import { sharedClock } from '../pipeline/frame-clock.js';
import { sgd } from '../pipeline/sgd.js';
import { runThread } from '../threads/thread.js';
import { attachParameters, type SharedParameters } from './shared-parameters.js';

/** What a benchmark thread needs. */
export interface BenchSetup {
  readonly config: ModelConfig;
  readonly parameters: SharedParameters;
  readonly clock: SharedArrayBuffer;
  readonly stop: SharedArrayBuffer;
  readonly streams: number;
  readonly steps: number;
  readonly seed: number;
}

/** A chunk of random features and random targets, every frame counted. */
function randomChunk(config: ModelConfig, steps: number, streams: number, seed: number): Chunk {
  const random = mulberry32(seed);
  const frames = steps * streams;
  return {
    steps,
    streams,
    dim: config.inputs,
    features: Float32Array.from({ length: frames * config.inputs }, () => 2 * random() - 1),
    targets: Int32Array.from({ length: frames }, () => Math.floor(random() * config.outputs)),
    mask: new Float32Array(frames).fill(1),
    reset: new Uint8Array(streams),
    utterances: new Array<string>(streams).fill('random'),
  };
}

// A tiny rate: the parameters move as in training but cannot diverge.
const schedule: Schedule = { learningRate: 1e-7, decay: 1, decayFrames: 1, biasRateFactor: 1, gradientClip: Infinity, momentum: 0 };

runThread<BenchSetup, never>(async (setup) => {
  const { kernels, parameters } = attachParameters(setup.parameters);
  const network = networkOf(setup.config, parameters, kernels);
  const clock = sharedClock(setup.clock);
  const stop = new Int32Array(setup.stop);
  const chunk = randomChunk(setup.config, setup.steps, setup.streams, setup.seed);

  // Full training steps (forward, truncated BPTT, update) on one repeated chunk, state carried, until told to stop.
  await lastValueFrom(
    range(0, Number.MAX_SAFE_INTEGER).pipe(
      takeWhile(() => Atomics.load(stop, 0) === 0),
      map(() => chunk),
      bptt(network),
      sgd(network, schedule, clock),
    ),
    { defaultValue: null },
  );
});
