import { rmSync } from 'node:fs';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import * as lstmp from '../src/index.js';
import { connectShards, learningRateAt, serveShard, shardOf, train, initParameters, type ModelConfig, type Schedule, type TrainEvent } from '../src/index.js';
import { toneCorpus } from './support/corpus.js';

const corpus = toneCorpus({ utterances: 12, states: 3, seed: 4 });
afterAll(() => rmSync(corpus, { recursive: true, force: true }));

describe('the public API (lstmp)', () => {
  it('names what a pipeline author needs, and none of the internals', () => {
    const api = lstmp as Record<string, unknown>;
    const stages = ['utterances', 'features', 'delayTargets', 'chunk', 'bptt', 'sgd', 'pushGradients', 'score', 'runningScore', 'operate', 'recognize'];
    const runs = ['train', 'keepRun', 'evaluate', 'connectShards', 'serveShard', 'recognizerOf', 'recognizeCorpus', 'synthesizeCorpus'];
    const things = ['networkOf', 'initParameters', 'decodeModelConfig', 'decodeSchedule', 'kernelsNamed', 'loadCheckpoint', 'saveCheckpoint', 'decodeWav', 'orFail'];
    for (const name of [...stages, ...runs, ...things]) expect(typeof api[name], name).toBe('function');
    for (const internal of ['checkRun', 'checkRows', 'plainMsgpack', 'createRuns', 'startThread', 'runThread', 'segmentsOf']) expect(api[internal], internal).toBeUndefined();
  });

  it('builds a remote update from the public API alone: a shard, its client, training that pushes to it', async () => {
    const config: ModelConfig = { inputs: 40, cells: 8, projection: 4, layers: 1, outputs: 3, cellClip: 50, peepholes: true };
    const schedule: Schedule = { learningRate: 0.005, decay: 1, decayFrames: 1, biasRateFactor: 0.1, gradientClip: Infinity, momentum: 0 };
    const secret = 'a secret of the test';
    const shard = await serveShard({ state: shardOf(config, initParameters(config, 2, 0.1), 0, 1), schedule, secret, listen: '127.0.0.1:0' });
    const server = await connectShards([shard.address], { secret, deadlineMs: 10_000, retryForMs: 1_000 });
    try {
      const events = await lastValueFrom(
        train({
          corpus,
          config,
          update: { kind: 'remote', server, pushEvery: 1, fetchEvery: 1 },
          threads: 1,
          epochs: 1,
          maxFrames: Infinity,
          chunking: { streams: 2, steps: 10 },
          delay: 0,
          seed: 1,
          evalEvery: Infinity,
          devUtterances: 0,
          strict: false,
          kernels: 'wasm',
          initRange: 0,
        }).pipe(toArray()),
      );
      const done = events.find((event): event is Extract<TrainEvent, { type: 'done' }> => event.type === 'done')!;
      const info = shard.info();
      expect(info.updates).toBeGreaterThan(0);
      expect(info.framesSeen).toBe(done.framesSeen);
      expect(info.learningRate).toBe(learningRateAt(schedule, info.framesSeen));
    } finally {
      server.close();
      await shard.close();
    }
  });
});
