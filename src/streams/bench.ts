import { Worker } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ModelConfig } from '../model/config.js';
import { initParameters } from '../model/init.js';
import type { KernelName } from '../ops/kernel-choice.js';
import type { BenchSetup } from './bench-worker.js';
import { sharedClock } from './frame-clock.js';
import { shareParameters } from './shared-parameters.js';
import { workerUrl } from './worker-url.js';

export interface BenchOptions {
  readonly config: ModelConfig;
  readonly kernels: KernelName;
  readonly threads: number;
  /** measured seconds, after the warm-up */
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly streams: number;
  readonly steps: number;
}

export interface BenchResult {
  readonly framesPerSec: number;
  /** one thread's time for one full step of B × T frames */
  readonly msPerStep: number;
  readonly rssMB: number;
}

/**
 * Times full training steps (forward, truncated BPTT backward, SGD update)
 * on random data, as the paper's threads work: `threads` worker threads, each
 * with B streams × T steps per chunk, sharing one parameter buffer without
 * locks (Hogwild). The warm-up (JIT, first touches of memory) is not counted.
 */
export async function bench(options: BenchOptions): Promise<BenchResult> {
  const { shared } = shareParameters(options.kernels, initParameters(options.config, 1));
  const clockBuffer = new SharedArrayBuffer(8);
  const stopBuffer = new SharedArrayBuffer(4);
  const clock = sharedClock(clockBuffer);
  const workers = Array.from({ length: options.threads }, (_, index) => {
    const setup: BenchSetup = {
      config: options.config,
      parameters: shared,
      clock: clockBuffer,
      stop: stopBuffer,
      streams: options.streams,
      steps: options.steps,
      seed: index + 1,
    };
    return new Worker(workerUrl('bench-worker', import.meta.url), { workerData: setup });
  });
  const finished = Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          worker.once('message', () => resolve());
          worker.once('error', reject);
        }),
    ),
  );
  try {
    await sleep(options.warmupSeconds * 1000);
    const start = { frames: clock.frames, at: performance.now() };
    await sleep(options.seconds * 1000);
    const frames = clock.frames - start.frames;
    const seconds = (performance.now() - start.at) / 1000;
    const rssMB = process.memoryUsage().rss / 2 ** 20;
    const framesPerSec = frames / seconds;
    return {
      framesPerSec,
      msPerStep: (1000 * options.streams * options.steps * options.threads) / framesPerSec,
      rssMB,
    };
  } finally {
    Atomics.store(new Int32Array(stopBuffer), 0, 1);
    await finished;
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
