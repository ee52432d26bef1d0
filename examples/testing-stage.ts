/**
 * Example: marble-testing a stage of your own, written with `operate`.
 *
 *     npx tsx examples/testing-stage.ts
 *
 * `atLeast(frames)` drops utterances shorter than `frames` and refuses one
 * whose targets do not match its frames (docs/pipelines.md writes it). A
 * marble diagram states, frame by frame in virtual time, what the stage
 * emits and when: `runMarbles` runs it on RxJS's TestScheduler, and
 * `errorLike` states the error notification's shape (its class and message),
 * since the error a stage throws is a new object every time.
 */
import { operate, type LabelledUtterance } from '../src/index.js';
import { errorLike, runMarbles } from '../src/testing/index.js';
import { runStandalone } from './run.js';

/** Drops utterances shorter than `frames`; refuses one without a target per frame. */
export const atLeast = (frames: number) =>
  operate<LabelledUtterance, LabelledUtterance>((subscriber) => ({
    next: (utterance) => {
      if (utterance.targets.length !== utterance.frames) throw new RangeError(`${utterance.id}: ${utterance.targets.length} targets for ${utterance.frames} frames`);
      if (utterance.frames >= frames) subscriber.next(utterance);
    },
  }));

const utterance = (id: string, frames: number, targets = frames): LabelledUtterance => ({ id, frames, dim: 1, features: new Float32Array(frames), targets: new Int32Array(targets) });

/** The marble tests of a stage like `atLeast`; each throws when the stage does not do what it says. Returns their names. */
export function main(stage: (frames: number) => ReturnType<typeof atLeast> = atLeast): string[] {
  const [short, long, longer, broken] = [utterance('short', 2), utterance('long', 5), utterance('longer', 9), utterance('broken', 5, 4)];
  const tests: Record<string, () => void> = {
    'lets long utterances through in the frame they came, drops short ones': () =>
      runMarbles(({ cold, expectObservable }) => {
        expectObservable(cold('a-b-c-|', { a: short, b: long, c: longer }).pipe(stage(5))).toBe('--b-c-|', { b: long, c: longer });
      }),
    'refuses an utterance whose targets do not match its frames: an error notification, then nothing, the source unsubscribed': () =>
      runMarbles(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('a-x-c-|', { a: long, x: broken, c: longer });
        expectObservable(source.pipe(stage(5))).toBe('a-#', { a: long }, errorLike(RangeError, 'broken: 4 targets for 5 frames'));
        expectSubscriptions(source.subscriptions).toBe('^-!');
      }),
    'passes the source’s error through': () =>
      runMarbles(({ cold, expectObservable }) => {
        expectObservable(cold('a-#', { a: long }, new Error('disk')).pipe(stage(5))).toBe('a-#', { a: long }, errorLike(Error, 'disk'));
      }),
  };
  for (const run of Object.values(tests)) run();
  return Object.keys(tests);
}

runStandalone(import.meta.url, () => main(), (passed) => passed.map((name) => `passed: ${name}`).join('\n'));
