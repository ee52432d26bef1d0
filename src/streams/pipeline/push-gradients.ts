import type { OperatorFunction } from 'rxjs';
import type { ChunkGradient } from './bptt.js';
import { operate } from './operate.js';
import { assertFinite, type TrainingStep } from './sgd.js';

/**
 * Where a training thread leaves its gradient for the parameter server, and
 * waits for the answer: shared memory between the thread and its process,
 * whose main thread owns the network connections.
 */
export interface GradientMailbox {
  /** [P] float32: the gradient summed over the chunks since the last push */
  readonly gradient: SharedArrayBuffer;
  /** Int32 state at byte 0; float64 frames seen and learning rate at bytes 8 and 16, as the shards answered */
  readonly control: SharedArrayBuffer;
}

export const MAILBOX_WAITING = 0;
export const MAILBOX_ANSWERED = 1;
export const MAILBOX_FAILED = 2;

/** A mailbox for a network of `parameters` values. */
export function mailboxFor(parameters: number): GradientMailbox {
  return { gradient: new SharedArrayBuffer(4 * parameters), control: new SharedArrayBuffer(24) };
}

/** The main thread's side: answers a thread's push with where the shards stand (or that they failed), waking it. */
export function answerMailbox(mailbox: GradientMailbox, answer: { readonly framesSeen: number; readonly learningRate: number } | null): void {
  const position = new Float64Array(mailbox.control, 8, 2);
  const state = new Int32Array(mailbox.control, 0, 1);
  if (answer) position.set([answer.framesSeen, answer.learningRate]);
  Atomics.store(state, 0, answer ? MAILBOX_ANSWERED : MAILBOX_FAILED);
  Atomics.notify(state, 0);
}

/**
 * The update stage of a distributed worker thread, in place of `sgd`: sums
 * each chunk's gradient into the mailbox and, every `every` chunks (and at
 * the end of the stream), asks the process to push the sum to the shards
 * (`send` posts the request), blocking until the process lets it go: when
 * the push fetches, once the shards' fresh values are in the parameters;
 * otherwise as soon as the push is on its way (one push in flight per
 * thread), so training overlaps the network without running ahead of it.
 * A NaN or infinite loss or gradient errors the stream; nothing is pushed.
 *
 * @example
 * chunks$.pipe(bptt(network), pushGradients(mailbox, 1, (frames) => port.postMessage({ type: 'push', frames })))
 */
export function pushGradients(mailbox: GradientMailbox, every: number, send: (frames: number) => void): OperatorFunction<ChunkGradient, TrainingStep> {
  const sum = new Float32Array(mailbox.gradient);
  const state = new Int32Array(mailbox.control, 0, 1);
  const position = new Float64Array(mailbox.control, 8, 2);
  return operate((subscriber) => {
    let chunks = 0;
    let frames = 0;
    const push = () => {
      Atomics.store(state, 0, MAILBOX_WAITING);
      send(frames);
      Atomics.wait(state, 0, MAILBOX_WAITING);
      if (Atomics.load(state, 0) === MAILBOX_FAILED) throw new Error('the push to the parameter server failed');
      chunks = 0;
      frames = 0;
    };
    return {
      next: ({ loss, frames: chunkFrames, correct, gradient }) => {
        assertFinite(loss, gradient);
        if (chunks === 0) sum.set(gradient);
        else for (let i = 0; i < sum.length; i++) sum[i] += gradient[i];
        chunks++;
        frames += chunkFrames;
        const framesSeen = position[0];
        if (chunks === every) push();
        subscriber.next({ loss, frames: chunkFrames, correct, framesSeen, learningRate: position[1] });
      },
      complete: () => {
        if (chunks > 0) push();
        subscriber.complete();
      },
    };
  });
}
