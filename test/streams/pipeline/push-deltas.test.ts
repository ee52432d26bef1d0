import { tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { pushDeltas } from '../../../src/streams/pipeline/push-deltas.js';
import type { TrainingStep } from '../../../src/streams/pipeline/sgd.js';
import { runMarbles } from '../../../src/testing/marbles.js';

const step = (frames: number): TrainingStep => ({ loss: 1, frames, correct: 0, framesSeen: 0, learningRate: 0.1 });
const steps = { a: step(10), b: step(20), c: step(30), d: step(40), e: step(50) };

describe('pushDeltas', () => {
  it('passes every step through and asks for a push every n chunks, with their frames, and for the rest at the end', () => {
    // Each request is logged beside the steps that went through before it.
    const log: string[] = [];
    runMarbles(({ cold, expectObservable }) => {
      const source = cold('a-b-c-d-e-|', steps);
      const through = source.pipe(
        pushDeltas(2, (frames) => log.push(`push ${frames}`)),
        tap((s) => log.push(`step ${s.frames}`)),
      );
      expectObservable(through).toBe('a-b-c-d-e-|', steps);
    });
    expect(log).toEqual(['step 10', 'push 30', 'step 20', 'step 30', 'push 70', 'step 40', 'step 50', 'push 50']);
  });

  it('asks for nothing at the end when the last push took every chunk', () => {
    const sent: number[] = [];
    runMarbles(({ cold, expectObservable }) => {
      expectObservable(cold('a-b-|', steps).pipe(pushDeltas(2, (frames) => sent.push(frames)))).toBe('a-b-|', steps);
    });
    expect(sent).toEqual([30]);
  });

  it('passes an error through without asking for a push of the chunks before it', () => {
    const sent: number[] = [];
    const failure = new Error('the thread failed');
    runMarbles(({ cold, expectObservable }) => {
      expectObservable(cold('a-b-c-#', steps, failure).pipe(pushDeltas(2, (frames) => sent.push(frames)))).toBe('a-b-c-#', steps, failure);
    });
    // The change of the chunks before the error stays unpushed: a worker that fails pushes nothing more.
    expect(sent).toEqual([30]);
  });
});
