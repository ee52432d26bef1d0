import { lastValueFrom, Subject, Subscriber, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../../src/model/formats/checkpoint.js';
import type { Score } from '../../../src/streams/pipeline/score.js';
import { trainingEvents, type Position, type TrainEvent } from '../../../src/streams/training/training-events.js';

const config = { inputs: 1, cells: 1, projection: 0, layers: 1, outputs: 2, cellClip: 50, peepholes: true };

/** A run whose trainers go on while an evaluation runs: each evaluation lets `during` more frames go by before it answers. */
function run(during: number, evaluations: Promise<Score>[] = []) {
  const events: TrainEvent[] = [];
  const failures: unknown[] = [];
  const now = { framesSeen: 0, updates: 0, epoch: 0, elapsed: 0, learningRate: 0.1 };
  const position = (): Position => ({ ...now });
  const snapshot = async (): Promise<Checkpoint> => ({ config, parameters: new Float32Array(0), training: { framesSeen: now.framesSeen, updates: now.updates, epoch: now.epoch } });
  const evaluate = async (): Promise<Score> => {
    const planned = evaluations.shift();
    if (planned) return planned;
    now.framesSeen += during;
    if (during > 0) now.updates += 1;
    return { loss: 1, frames: 10, correct: 5 };
  };
  const bookkeeping = trainingEvents(new Subscriber<TrainEvent>({ next: (event) => void events.push(event), error: () => {}, complete: () => {} }), { evalEvery: 1000, firstFrame: 0, reportEvery: 0, position, snapshot, evaluate, failed: (error) => failures.push(error) });
  return { events, now, bookkeeping, failures };
}

describe('trainingEvents', () => {
  it('stamps an evaluation with the position of the weights it scored, not the position when it finished', async () => {
    const { events, now, bookkeeping } = run(5_000);
    now.framesSeen = 1_200;
    now.updates = 12;
    bookkeeping.due(now.framesSeen);
    await bookkeeping.finish();
    const evaluations = events.filter((event) => event.type === 'evaluation');
    // The one due at 1,200 frames, then the final one of the weights at 6,200 (the trainers moved on meanwhile).
    expect(evaluations.map((event) => [event.framesSeen, event.updates])).toEqual([
      [1_200, 12],
      [6_200, 13],
    ]);
    for (const event of evaluations) expect(event.framesSeen).toBe(event.checkpoint.training!.framesSeen);
    const done = events.at(-1)!;
    expect(done.type === 'done' && [done.framesSeen, done.checkpoint.training!.framesSeen]).toEqual([6_200, 6_200]);
  });

  it('evaluates the final model once: not again when the last evaluation already scored it', async () => {
    const { events, now, bookkeeping } = run(0);
    now.framesSeen = 1_000;
    bookkeeping.due(now.framesSeen);
    await bookkeeping.finish();
    expect(events.map((event) => event.type)).toEqual(['evaluation', 'done']);
  });

  it('tells of an evaluation that fails as soon as it fails, and finishes with its error', async () => {
    const failing = new Error('dev: unreadable');
    const { events, now, bookkeeping, failures } = run(0, [Promise.reject(failing)]);
    now.framesSeen = 1_000;
    bookkeeping.due(now.framesSeen);
    await new Promise((resolve) => setImmediate(resolve));
    expect(failures).toEqual([failing]);
    await expect(bookkeeping.finish()).rejects.toBe(failing);
    expect(events).toEqual([]);
  });
});


/**
 * A run whose dev accuracies are scripted: `accuracies[k]` is the k-th
 * evaluation's, with an evaluation every 100 frames; `retargetAfter` lists
 * the evaluations after which the targets change.
 */
async function scripted(accuracies: readonly number[], retargetAfter: readonly number[] = []): Promise<TrainEvent[]> {
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
    snapshot: async (): Promise<Checkpoint> => ({ config, parameters: new Float32Array(0), training: { framesSeen, updates: framesSeen / 10, epoch: 1 } }),
    evaluate: async (): Promise<Score> => ({ loss: 1, frames: 100, correct: 100 * accuracies[evaluated++] }),
    failed: () => {},
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

describe('trainingEvents keeps the best model', () => {
  it('marks each evaluation that is the best so far, and ends with the best model, not the last', async () => {
    const events = await scripted([0.5, 0.7, 0.6, 0.65]);
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
    // and the model as training left it, for a cluster worker to save
    expect(done.final.checkpoint.training?.framesSeen).toBe(350);
    expect(done.final.dev.correct).toBe(65);
  });

  it('takes the later of equal scores', async () => {
    const done = doneOf(await scripted([0.5, 0.7, 0.7]));
    expect(done.bestFramesSeen).toBe(250);
  });

  it('starts the best afresh when the targets change (a realignment), since scores against other targets do not compare', async () => {
    const events = await scripted([0.5, 0.9, 0.4, 0.6], [1]);
    expect(evaluations(events).map((e) => e.best)).toEqual([true, true, true, true]);
    expect(doneOf(events).bestFramesSeen).toBe(350);
  });
});
