import { rmSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { filter, lastValueFrom, tap, toArray } from 'rxjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { InputError } from '../../../src/errors.js';
import type { ModelConfig } from '../../../src/model/network/config.js';
import { modelIdentity } from '../../../src/model/network/identity.js';
import { initParameters } from '../../../src/model/network/init.js';
import type { Schedule } from '../../../src/model/network/schedule.js';
import type { ShardInfo } from '../../../src/model/cluster/shard-messages.js';
import { applyDelta, applyPush, segmentsOf, shardOf } from '../../../src/model/cluster/shard-state.js';
import { learningRateAt } from '../../../src/model/network/schedule.js';
import type { ParameterServerClient } from '../../../src/streams/cluster/parameter-client.js';
import { splitFrames } from '../../../src/streams/corpora/corpus.js';
import { frameAccuracy } from '../../../src/streams/pipeline/score.js';
import { train, type TrainEvent, type TrainOptions } from '../../../src/streams/training/train.js';
import { buildCli } from '../../support/cli.js';
import { toneCorpus } from '../../support/corpus.js';

// Every training thread train() starts, to see that it stops; and a switch that makes dev evaluations fail.
const watched = vi.hoisted(() => ({ threads: [] as Worker[], failEvaluations: false }));
vi.mock('../../../src/streams/threads/thread.js', async (original) => {
  const real = await original<typeof import('../../../src/streams/threads/thread.js')>();
  return {
    ...real,
    startThread: (...args: Parameters<typeof real.startThread>) => {
      const thread = real.startThread(...args);
      watched.threads.push(thread);
      return thread;
    },
  };
});
vi.mock('../../../src/streams/training/evaluate.js', async (original) => {
  const real = await original<typeof import('../../../src/streams/training/evaluate.js')>();
  return {
    ...real,
    devEvaluator: (...args: Parameters<typeof real.devEvaluator>) => {
      const evaluate = real.devEvaluator(...args);
      return (checkpoint: Parameters<typeof evaluate>[0]) => (watched.failEvaluations ? Promise.reject(new InputError('dev: the evaluation failed on purpose')) : evaluate(checkpoint));
    },
  };
});
beforeEach(() => {
  watched.threads.length = 0;
  watched.failEvaluations = false;
});

/** Resolves once every thread train() started has exited (a test that never sees it fails by its timeout). */
const allExited = () => Promise.all(watched.threads.map((thread) => (thread.threadId === -1 ? Promise.resolve() : new Promise<void>((resolve) => thread.once('exit', () => resolve())))));

const config: ModelConfig = { inputs: 40, cells: 16, projection: 8, layers: 1, outputs: 4, cellClip: 50, peepholes: true };
const schedule: Schedule = { learningRate: 0.01, decay: 1, decayFrames: 1, biasRateFactor: 0.1, gradientClip: Infinity, momentum: 0 };

/** The parameter server without the network: shard states in this process, counting what the workers ask. */
function inProcessServer(shards: number, refuseAfter = Infinity) {
  const states = Array.from({ length: shards }, (_, index) => shardOf(config, initParameters(config, 3, 0.1), index, shards));
  const counts = { pushes: 0, fetches: 0, frames: 0, updates: 0 };
  const position = () => ({ framesSeen: states[0].framesSeen, updates: states[0].updates, learningRate: learningRateAt(schedule, states[0].framesSeen) });
  const copyInto = (into: Float32Array) => states.forEach((state) => into.set(state.values, state.range.offset));
  const server: ParameterServerClient = {
    config,
    model: modelIdentity(config),
    shards: states.map((state) => ({ index: state.range.index, count: shards, offset: state.range.offset, length: state.range.length }) as ShardInfo),
    push: async (gradient, frames, into) => {
      if (counts.pushes >= refuseAfter) throw new InputError('shard 127.0.0.1:1 refused the call: the gradient holds NaN or Inf values');
      counts.pushes++;
      counts.frames += frames;
      for (const state of states) applyPush(state, segmentsOf(state, schedule), schedule, gradient.subarray(state.range.offset, state.range.offset + state.range.length), frames);
      if (into) {
        counts.fetches++;
        copyInto(into);
      }
      return position();
    },
    pushDelta: async (delta, frames, updates, into) => {
      if (counts.pushes >= refuseAfter) throw new InputError('shard 127.0.0.1:1 refused the call: the delta holds NaN or Inf values');
      counts.pushes++;
      counts.frames += frames;
      counts.updates += updates;
      for (const state of states) applyDelta(state, delta.subarray(state.range.offset, state.range.offset + state.range.length), frames, updates);
      if (into) {
        counts.fetches++;
        copyInto(into);
      }
      return position();
    },
    schedule,
    pull: async (into) => {
      copyInto(into);
      return position();
    },
    infos: async () => server.shards as ShardInfo[],
    leave: async () => {},
    traffic: () => ({ bytes: 4 * counts.pushes * initParameters(config, 3, 0.1).length, pushes: counts.pushes, frames: counts.frames }),
    close: () => {},
  };
  return { server, states, counts };
}

const epochs = 12;
let corpus: string;
beforeAll(() => {
  buildCli();
  corpus = toneCorpus({ utterances: 40 });
});
afterAll(() => rmSync(corpus, { recursive: true, force: true }));

const options = (server: ParameterServerClient, pushEvery: number, fetchEvery: number): TrainOptions => ({
  corpus,
  config,
  update: { kind: 'remote', server, pushEvery, fetchEvery },
  threads: 1,
  epochs,
  maxFrames: Infinity,
  chunking: { streams: 4, steps: 20 },
  delay: 2,
  seed: 1,
  shuffleBuffer: 100,
  evalEvery: Infinity,
  devUtterances: 20,
  cmvnUtterances: 100,
  strict: false,
  kernels: 'wasm',
  initRange: 0,
  reportEvery: 100,
});

describe('train', () => {
  const local = (): TrainOptions => ({ ...options(inProcessServer(1).server, 1, 1), update: { kind: 'local', schedule }, threads: 2, epochs: 1000 });

  it('stops its threads when unsubscribed', async () => {
    let trained = () => {};
    const training = new Promise<void>((resolve) => (trained = resolve));
    const subscription = train(local()).subscribe((event) => event.type === 'progress' && trained());
    await training;
    subscription.unsubscribe();
    expect(watched.threads).toHaveLength(2);
    await allExited();
  });

  it('fails when a thread fails (a broken utterance under strict), and stops the others', async () => {
    const broken = toneCorpus({ utterances: 12 });
    try {
      rmSync(`${broken}/wav/utt007.wav`);
      await expect(lastValueFrom(train({ ...local(), corpus: broken, strict: true }))).rejects.toThrow(new InputError(`utterance utt007: ${broken}/wav/utt007.wav: no such file`));
      await allExited();
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });

  it('fails when a thread exits under it, naming it, and stops the others', async () => {
    const run = train(local()).pipe(
      filter((event) => event.type === 'progress'),
      tap(() => void watched.threads[1].terminate()),
    );
    await expect(lastValueFrom(run)).rejects.toThrow(/^training thread 1 exited with code 1$/);
    await allExited();
  });

  it('fails when an evaluation fails while the threads train, and stops them', async () => {
    // Evaluations fail from the first progress on: the threads are training by then.
    const run = train({ ...local(), evalEvery: 1_000 }).pipe(tap((event) => event.type === 'progress' && (watched.failEvaluations = true)));
    await expect(lastValueFrom(run)).rejects.toThrow(/^dev: the evaluation failed on purpose$/);
    await allExited();
  });

  it('stamps each evaluation with the position of the weights it scored, while the threads train on', async () => {
    const events = await lastValueFrom(
      train({ ...options(inProcessServer(1).server, 1, 1), update: { kind: 'local', schedule }, threads: 2, epochs: 3, evalEvery: 1_500 }).pipe(toArray()),
    );
    const evaluations = events.filter((event) => event.type === 'evaluation');
    // At least one while the threads trained (due every 1,500 of about 6,000 frames), and the final one.
    expect(evaluations.length).toBeGreaterThanOrEqual(2);
    for (const event of evaluations) expect(event.framesSeen).toBe(event.checkpoint.training!.framesSeen);
  });
});

describe('train with remote updates (the worker side of the parameter server)', () => {
  it('pushes every n-th chunk, fetches every m-th push, learns, and ends with the shards\' values', async () => {
    const { server, states, counts } = inProcessServer(3);
    const events: TrainEvent[] = await lastValueFrom(train(options(server, 2, 2)).pipe(toArray()));
    const done = events.at(-1)!;
    if (done.type !== 'done') throw new Error('no done event');
    expect(frameAccuracy(done.dev)).toBeGreaterThan(0.8);
    // Every training frame of every epoch was pushed exactly once, chunks two to a push (the thread's last push of an epoch may hold one).
    const trainFrames = await splitFrames(corpus, 'train');
    expect(counts.frames).toBe(epochs * trainFrames);
    expect(done.framesSeen).toBe(counts.frames);
    expect(done.epoch).toBe(epochs);
    // done.updates counts chunks: two to a push, but a thread's last chunk of an epoch may go alone.
    expect(counts.pushes).toBeGreaterThanOrEqual(done.updates / 2);
    expect(counts.pushes).toBeLessThanOrEqual(done.updates / 2 + 2 * epochs);
    // The thread fetches on its every second push.
    expect(counts.fetches).toBeGreaterThanOrEqual(Math.floor(counts.pushes / 2) - 2);
    expect(counts.fetches).toBeLessThanOrEqual(Math.ceil(counts.pushes / 2));
    // The checkpoint is the shared model as the shards hold it, not a worker's possibly older copy.
    for (const state of states) expect(Array.from(done.checkpoint.parameters.subarray(state.range.offset, state.range.offset + state.range.length))).toEqual(Array.from(state.values));
  });

  it('pushing deltas: trains by SGD itself, pushes at most every n-th chunk of a thread, and ends with the shards\' values', async () => {
    const { server, states, counts } = inProcessServer(3);
    const initial = initParameters(config, 3, 0.1);
    // Evaluated while the threads train: each evaluation pulls the shards' values into a buffer of its own.
    const events: TrainEvent[] = await lastValueFrom(train({ ...options(server, 4, 1), update: { kind: 'remote', server, pushEvery: 4, fetchEvery: 1, push: 'deltas' }, threads: 2, evalEvery: 2_000 }).pipe(toArray()));
    const done = events.at(-1)!;
    if (done.type !== 'done') throw new Error('no done event');
    expect(frameAccuracy(done.dev)).toBeGreaterThan(0.8);
    // Every frame trained was counted once in the pushes. Requests that came while a push travelled
    // went with the next, so there are no more pushes than requests.
    const trainFrames = await splitFrames(corpus, 'train');
    expect(counts.frames).toBe(epochs * trainFrames);
    expect(counts.pushes).toBeGreaterThan(epochs);
    expect(events.filter((event) => event.type === 'evaluation').length).toBeGreaterThanOrEqual(2);
    expect(counts.pushes).toBeLessThanOrEqual(done.updates / 4 + 2 * epochs);
    // The pushes held every SGD step the threads took.
    expect(counts.updates).toBe(done.updates);
    // The shards hold what the threads' SGD did (they moved), and the final checkpoint is the shards' model.
    expect(states.some((state) => state.values.some((value, i) => value !== initial[state.range.offset + i]))).toBe(true);
    for (const state of states) expect(Array.from(done.final.checkpoint.parameters.subarray(state.range.offset, state.range.offset + state.range.length))).toEqual(Array.from(state.values));
  });

  it('pushing deltas from shards that do not say their schedule: one line naming what to do', async () => {
    const { server } = inProcessServer(1);
    const silent: ParameterServerClient = { ...server, schedule: null };
    await expect(lastValueFrom(train({ ...options(silent, 4, 1), update: { kind: 'remote', server: silent, pushEvery: 4, fetchEvery: 1, push: 'deltas' } }))).rejects.toThrow(
      /^the shards do not say their learning-rate schedule/,
    );
  });

  it('pushing deltas: fails with the shard\'s refusal, and stops its threads', async () => {
    const { server } = inProcessServer(2, 3);
    await expect(lastValueFrom(train({ ...options(server, 2, 1), update: { kind: 'remote', server, pushEvery: 2, fetchEvery: 1, push: 'deltas' }, threads: 2 }))).rejects.toThrow(/refused the call: the delta holds NaN/);
    await allExited();
  });

  it('fails with the shard\'s refusal, and stops its threads, when a push is refused', async () => {
    const { server } = inProcessServer(2, 5);
    await expect(lastValueFrom(train({ ...options(server, 2, 2), threads: 2 }))).rejects.toThrow(/refused the call: the gradient holds NaN/);
    expect(watched.threads).toHaveLength(2);
    await allExited();
  });
});
