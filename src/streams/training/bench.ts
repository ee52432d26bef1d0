import { setTimeout as sleep } from 'node:timers/promises';
import type { ModelConfig } from '../../model/network/config.js';
import { initParameters } from '../../model/network/init.js';
import type { KernelName } from '../../ops/kernels/choice.js';
import type { BenchSetup } from './bench-thread.js';
import { CLOCK_BYTES, sharedClock } from '../pipeline/frame-clock.js';
import { shareParameters } from './shared-parameters.js';
import { errorOf, onThreadFailure, startThread, type ThreadFailure } from '../threads/thread.js';

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
  /**
   * The process's CPU time over the measured wall time of its threads: 1
   * when the training threads had their cores to themselves, less on a host
   * whose other jobs took turns on them (main thread included, which is idle).
   */
  readonly cpuShare: number;
}

/**
 * Times full training steps (forward, truncated BPTT backward, SGD update)
 * on random data, as the paper's threads work: `threads` worker threads, each
 * with B streams × T steps per chunk, sharing one parameter buffer without
 * locks (Hogwild). Neither the threads' start-up nor the warm-up (JIT,
 * first touches of memory) is counted.
 */
export async function bench(options: BenchOptions): Promise<BenchResult> {
  const { shared } = shareParameters(options.kernels, initParameters(options.config, 1));
  const clockBuffer = new SharedArrayBuffer(CLOCK_BYTES);
  const stopBuffer = new SharedArrayBuffer(4);
  const clock = sharedClock(clockBuffer);
  const threads = Array.from({ length: options.threads }, (_, index) => {
    const setup: BenchSetup = {
      config: options.config,
      parameters: shared,
      clock: clockBuffer,
      stop: stopBuffer,
      streams: options.streams,
      steps: options.steps,
      seed: index + 1,
    };
    return startThread('bench-thread', import.meta.url, setup);
  });
  const finished = Promise.all(
    threads.map(
      (thread, index) =>
        new Promise<void>((resolve, reject) => {
          thread.once('message', (message: { readonly type: 'done' } | ThreadFailure) => (message.type === 'done' ? resolve() : reject(errorOf(message))));
          onThreadFailure(thread, `benchmark thread ${index}`, reject);
        }),
    ),
  );
  try {
    // Thread start-up (loading, compiling the kernels) is not training: the clock starts once every thread could have stepped.
    const firstSteps = options.threads * options.streams * options.steps;
    let failed = false;
    finished.catch(() => (failed = true));
    while (clock.frames < firstSteps && !failed) await sleep(10);
    await Promise.race([finished, sleep(0)]);
    await sleep(options.warmupSeconds * 1000);
    const start = { frames: clock.frames, at: performance.now(), cpu: process.cpuUsage() };
    await sleep(options.seconds * 1000);
    const frames = clock.frames - start.frames;
    const seconds = (performance.now() - start.at) / 1000;
    const cpu = process.cpuUsage(start.cpu);
    const rssMB = process.memoryUsage().rss / 2 ** 20;
    const framesPerSec = frames / seconds;
    return {
      framesPerSec,
      msPerStep: (1000 * options.streams * options.steps * options.threads) / framesPerSec,
      rssMB,
      cpuShare: (cpu.user + cpu.system) / 1e6 / (seconds * options.threads),
    };
  } finally {
    Atomics.store(new Int32Array(stopBuffer), 0, 1);
    await finished;
    await Promise.all(threads.map((thread) => thread.terminate()));
  }
}
