import { describe, expect, it } from 'vitest';
import type { Schedule } from '../../../src/model/network/schedule.js';
import { deltaPushes, type DeltaPushOptions } from '../../../src/streams/cluster/delta-pushes.js';
import type { ParameterServerClient, ServerPosition } from '../../../src/streams/cluster/parameter-client.js';

const schedule: Schedule = { learningRate: 0.01, decay: 1, decayFrames: 1, biasRateFactor: 1, gradientClip: Infinity, momentum: 0 };

/** Shards that add what they are sent and answer when told to, recording every push. */
function shards(values: Float32Array) {
  const pushes: { delta: number[]; frames: number; updates: number }[] = [];
  const answers: (() => void)[] = [];
  let failing: Error | null = null;
  const server = {
    schedule,
    pushDelta: (delta: Float32Array, frames: number, updates: number, into: Float32Array | null) => {
      pushes.push({ delta: Array.from(delta), frames, updates });
      return new Promise<ServerPosition>((resolve, reject) =>
        answers.push(() => {
          if (failing) return reject(failing);
          values.forEach((_, i) => (values[i] += delta[i]));
          into?.set(values);
          resolve({ framesSeen: pushes.reduce((sum, push) => sum + push.frames, 0), updates: pushes.length, learningRate: 0.01 });
        }),
      );
    },
  } as unknown as ParameterServerClient;
  const answerNext = async () => {
    answers.shift()!();
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  return { server, pushes, answerNext, fail: (error: Error) => (failing = error) };
}

function worker(extra: Partial<DeltaPushOptions> = {}) {
  const parameters = new Float32Array([1, 2, 3, 4]);
  const events: string[] = [];
  let trained = 0;
  const options: DeltaPushOptions = {
    parameters,
    base: parameters.slice(),
    share: 1,
    answered: (answer, meanwhile) => events.push(`answered ${answer.framesSeen} +${meanwhile}`),
    failed: (error) => events.push(`failed: ${(error as Error).message}`),
    stopped: () => false,
    trained: () => trained,
    ...extra,
  };
  const train = (step: number[], frames: number) => {
    step.forEach((s, i) => (parameters[i] += s));
    trained += frames;
  };
  return { parameters, options, events, train };
}

describe('deltaPushes', () => {
  it('pushes its share of the change, takes the requests that come meanwhile together, and keeps the steps trained while a push travels', async () => {
    const server = new Float32Array([1, 2, 3, 4]);
    const { server: client, pushes, answerNext } = shards(server);
    const w = worker({ share: 0.5 });
    const pushing = deltaPushes(client, w.options);
    w.train([2, 2, 2, 2], 10);
    const first = pushing.request(10, 1);
    expect(pushes).toEqual([{ delta: [1, 1, 1, 1], frames: 10, updates: 1 }]);
    // Trained while the first push travels: two requests, one push after it.
    w.train([4, 0, 0, 0], 10);
    void pushing.request(10, 1);
    w.train([0, 4, 0, 0], 20);
    expect(pushing.request(20, 1)).toBe(first);
    // Another worker's half moves the shards meanwhile.
    server[3] += 8;
    await answerNext();
    // The shards' values (1 + 1 + ..., another's 8 on the last) plus the steps trained since the push was taken.
    expect(Array.from(w.parameters)).toEqual([2 + 4, 3 + 4, 4, 5 + 8]);
    expect(w.events).toEqual(['answered 10 +30']);
    expect(pushes[1]).toEqual({ delta: [2, 2, 0, 0], frames: 30, updates: 2 });
    await answerNext();
    await first;
    expect(pushes).toHaveLength(2);
    expect(Array.from(server)).toEqual([1 + 1 + 2, 2 + 1 + 2, 3 + 1, 4 + 1 + 8]);
  });

  it('says a failed push once and pushes nothing more; a stopped run pushes nothing', async () => {
    const { server: client, pushes, answerNext, fail } = shards(new Float32Array(4));
    const w = worker();
    const pushing = deltaPushes(client, w.options);
    w.train([1, 1, 1, 1], 10);
    const done = pushing.request(10, 1);
    void pushing.request(10, 1);
    fail(new Error('shard refused'));
    await answerNext();
    await expect(done).resolves.toBeUndefined();
    expect(w.events).toEqual(['failed: shard refused']);
    await pushing.request(10, 1);
    expect(pushes).toHaveLength(1);

    const stopped = worker({ stopped: () => true });
    const other = shards(new Float32Array(4));
    await deltaPushes(other.server, stopped.options).request(10, 1);
    expect(other.pushes).toHaveLength(0);
  });

  it('refuses shards that do not say their schedule, in one line', () => {
    const { server: client } = shards(new Float32Array(4));
    expect(() => deltaPushes({ ...client, schedule: null }, worker().options)).toThrow(/^the shards do not say their learning-rate schedule/);
  });
});
