import type { MonoTypeOperatorFunction } from 'rxjs';
import { operate } from './operate.js';
import type { TrainingStep } from './sgd.js';

/**
 * The stage after `sgd` in a distributed worker thread that trains by local
 * SGD: the thread updates its process's parameters itself, and every `every`
 * chunks (and at the end of the stream) asks the process to push what SGD
 * has changed (`send` posts the request, with the frames and the steps
 * trained since the last). It never waits: the process pushes one change at a time, and
 * requests that come while one travels are taken together by the next, so
 * pushes go as often as the network allows and no more often than asked.
 * Steps pass through.
 *
 * @example
 * chunks$.pipe(bptt(network), sgd(network, schedule, clock), pushDeltas(4, (frames, updates) => port.postMessage({ type: 'push', frames, updates })))
 */
export function pushDeltas(every: number, send: (frames: number, updates: number) => void): MonoTypeOperatorFunction<TrainingStep> {
  return operate((subscriber) => {
    let chunks = 0;
    let frames = 0;
    const push = () => {
      send(frames, chunks);
      chunks = 0;
      frames = 0;
    };
    return {
      next: (step) => {
        chunks++;
        frames += step.frames;
        if (chunks === every) push();
        subscriber.next(step);
      },
      complete: () => {
        if (chunks > 0) push();
        subscriber.complete();
      },
    };
  });
}
