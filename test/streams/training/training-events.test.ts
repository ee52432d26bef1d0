import { Subject, toArray, lastValueFrom, Subscriber } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../../src/model/formats/checkpoint.js';
import type { ModelConfig } from '../../../src/model/network/config.js';
import { initParameters } from '../../../src/model/network/init.js';
import type { Score } from '../../../src/streams/pipeline/score.js';
import { trainingEvents, type Position, type TrainEvent } from '../../../src/streams/training/training-events.js';

const config: ModelConfig = { inputs: 4, cells: 3, projection: 0, layers: 1, outputs: 2, cellClip: 50, peepholes: false };
const parameters = initParameters(config, 1, 0.1);

/**
 * A run whose dev accuracies are scripted: `accuracies[k]` is the k-th
 * evaluation's, with an evaluation every 100 frames; `retargetAfter` lists
 * the evaluations after which the targets change.
 */
async function run(accuracies: readonly number[], retargetAfter: readonly number[] = []): Promise<TrainEvent[]> {
  let framesSeen = 0;
  let evaluated = 0;
  const position = (): Position => ({ framesSeen, updates: framesSeen / 10, epoch: 1, elapsed: framesSeen / 1000, learningRate: 0.1 });
  const subject = new Subject<TrainEvent>();
  const collected = lastValueFrom(subject.pipe(toArray()));
  const events = trainingEvents(new Subscriber(subject), {
    evalEvery: 100,
    firstFrame: 0,
    reportEvery: Infinity,
    position,
    snapshot: async (): Promise<Checkpoint> => ({ config, parameters, training: { framesSeen, updates: framesSeen / 10, epoch: 1 } }),
    evaluate: async (): Promise<Score> => ({ loss: 1, frames: 100, correct: 100 * accuracies[evaluated++] }),
  });
  for (let k = 0; k < accuracies.length - 1; k++) {
    framesSeen += 100;
    events.due(framesSeen);
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (retargetAfter.includes(k)) events.retargeted();
  }
  framesSeen += 50;
  await events.finish();
  subject.complete();
  return collected;
}

const evaluations = (events: TrainEvent[]) => events.filter((e): e is Extract<TrainEvent, { type: 'evaluation' }> => e.type === 'evaluation');
const doneOf = (events: TrainEvent[]) => events.find((e): e is Extract<TrainEvent, { type: 'done' }> => e.type === 'done')!;

describe('trainingEvents', () => {
  it('marks each evaluation that is the best so far, and ends with the best model, not the last', async () => {
    const events = await run([0.5, 0.7, 0.6, 0.65]);
    expect(evaluations(events).map((e) => [e.framesSeen, e.best])).toEqual([
      [100, true],
      [200, true],
      [300, false],
      [350, false],
    ]);
    const done = doneOf(events);
    expect(done.framesSeen).toBe(350);
    expect(done.bestFramesSeen).toBe(200);
    expect(done.checkpoint.training?.framesSeen).toBe(200);
    expect(done.dev.correct).toBe(70);
  });

  it('takes the later of equal scores', async () => {
    const done = doneOf(await run([0.5, 0.7, 0.7]));
    expect(done.bestFramesSeen).toBe(250);
  });

  it('starts the best afresh when the targets change (a realignment), since scores against other targets do not compare', async () => {
    const events = await run([0.5, 0.9, 0.4, 0.6], [1]);
    expect(evaluations(events).map((e) => e.best)).toEqual([true, true, true, true]);
    expect(doneOf(events).bestFramesSeen).toBe(350);
  });
});
