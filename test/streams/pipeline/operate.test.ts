import { map, of, type Observable, type OperatorFunction } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { DivergedError, InputError } from '../../../src/errors.js';
import { layoutOf } from '../../../src/model/network/layout.js';
import { networkOf } from '../../../src/model/network/network.js';
import { initParameters } from '../../../src/model/network/init.js';
import type { Schedule } from '../../../src/model/network/schedule.js';
import type { LstmpSpec } from '../../../src/ops/nn/lstmp.js';
import { encodeWav } from '../../../src/ops/codecs/wav.js';
import { bptt, type ChunkGradient } from '../../../src/streams/pipeline/bptt.js';
import { chunk, type Chunk } from '../../../src/streams/pipeline/chunk.js';
import { delayTargets } from '../../../src/streams/pipeline/delay-targets.js';
import { features, type AudioUtterance } from '../../../src/streams/pipeline/features.js';
import { operate } from '../../../src/streams/pipeline/operate.js';
import { mailboxFor, pushGradients } from '../../../src/streams/pipeline/push-gradients.js';
import { score } from '../../../src/streams/pipeline/score.js';
import { sgd } from '../../../src/streams/pipeline/sgd.js';
import type { LabelledUtterance } from '../../../src/streams/pipeline/utterance.js';
import { recognize } from '../../../src/streams/recognition/recognize.js';
import type { Recognizer } from '../../../src/streams/recognition/recognizer.js';
import { errorLike, runMarbles } from '../../../src/testing/marbles.js';

describe('operate', () => {
  it('runs init once per subscription: state is not shared between subscribers', () => {
    const sums = operate<number, number>((subscriber) => {
      let total = 0;
      return { next: (x) => subscriber.next((total += x)) };
    });
    runMarbles(({ cold, expectObservable }) => {
      const source = cold('a-b-c-|', { a: 1, b: 2, c: 3 });
      expectObservable(source.pipe(sums)).toBe('a-b-c-|', { a: 1, b: 3, c: 6 });
      expectObservable(source.pipe(sums)).toBe('a-b-c-|', { a: 1, b: 3, c: 6 });
    });
  });

  it('turns a throw in next, in complete or in init into an error notification and unsubscribes the source', () => {
    const failing = new RangeError('no');
    runMarbles(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-b-c-|', { a: 1, b: -1, c: 3 });
      const checked = operate<number, number>((subscriber) => ({
        next: (x) => {
          if (x < 0) throw failing;
          subscriber.next(x);
        },
      }));
      expectObservable(source.pipe(checked)).toBe('a-#', { a: 1 }, failing);
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
    runMarbles(({ cold, expectObservable }) => {
      const atEnd = operate<number, number>(() => ({ next: () => {}, complete: () => { throw failing; } }));
      expectObservable(cold('a-|', { a: 1 }).pipe(atEnd)).toBe('--#', undefined, failing);
      const atStart = operate<number, number>(() => { throw failing; });
      expectObservable(cold('a-|', { a: 1 }).pipe(atStart)).toBe('#', undefined, failing);
    });
  });

  it('passes the source’s error through and runs the teardown set up by init, on error and on unsubscribe', () => {
    let released = 0;
    const stage = operate<number, number>((subscriber) => {
      subscriber.add(() => released++);
      return { next: (x) => subscriber.next(x) };
    });
    runMarbles(({ cold, expectObservable }) => {
      expectObservable(cold('a-#', { a: 1 }, new Error('source')).pipe(stage)).toBe('a-#', { a: 1 }, new Error('source'));
      expectObservable(cold('a-b-c-|', { a: 1, b: 2, c: 3 }).pipe(stage), '^--!').toBe('a-b', { a: 1, b: 2 });
    });
    expect(released).toBe(2);
  });
});

// Every stage of the pipeline, fed a value it must refuse: the refusal arrives as an error
// notification in the frame the value arrived, and the stream emits nothing more.
const spec: LstmpSpec = { inputs: 3, cells: 4, projection: 2, layers: 1, outputs: 5, cellClip: 50, peepholes: true };
const network = () => networkOf(spec, initParameters(spec, 1, 0.1));
const schedule: Schedule = { learningRate: 0.01, decay: 1, decayFrames: 1, biasRateFactor: 1, gradientClip: Infinity, momentum: 0 };

function goodChunk(dim = spec.inputs): Chunk {
  const frames = 2;
  return { steps: 2, streams: 1, dim, features: new Float32Array(frames * dim).fill(0.5), targets: Int32Array.of(1, 2), mask: Float32Array.of(1, 1), reset: Uint8Array.of(1), utterances: ['u'] };
}

function gradientOf(value: number): ChunkGradient {
  return { chunk: goodChunk(), loss: 1, frames: 2, correct: 1, gradient: new Float32Array(layoutOf(spec).size).fill(value) };
}

const labelled = (id: string, dim: number): LabelledUtterance => ({ id, frames: 2, dim, features: new Float32Array(2 * dim), targets: Int32Array.of(0, 1) });
// 1,600 samples at 16 kHz: 8 frames of 25 ms every 10 ms.
const audio = (id: string, wav: Uint8Array): AudioUtterance => ({ id, source: `${id}.wav`, wav, alignment: new Int32Array(8) });
const silence = encodeWav(new Float32Array(1600), 16000);

interface StageCase {
  readonly name: string;
  readonly stage: OperatorFunction<never, unknown>;
  readonly good: unknown;
  readonly bad: unknown;
  readonly error: RegExp;
  readonly kind: new (...args: never[]) => Error;
}

const cases: readonly StageCase[] = [
  { name: 'features (strict: a broken WAV)', stage: features({ normalisation: 'none', strict: true }) as OperatorFunction<never, unknown>, good: audio('ok', silence), bad: audio('bad', Uint8Array.of(1, 2, 3)), error: /utterance bad: bad\.wav: /, kind: InputError },
  { name: 'delayTargets (an utterance without features)', stage: delayTargets(2) as OperatorFunction<never, unknown>, good: labelled('ok', 3), bad: { ...labelled('bad', 3), features: undefined }, error: /^Cannot convert undefined or null to object/, kind: TypeError },
  { name: 'chunk (a change of feature dimension)', stage: chunk({ streams: 1, steps: 2 }) as OperatorFunction<never, unknown>, good: labelled('ok', 3), bad: labelled('bad', 4), error: /bad has 4 features per frame, the others 3/, kind: RangeError },
  { name: 'bptt (a chunk the network cannot take)', stage: bptt(network()) as OperatorFunction<never, unknown>, good: goodChunk(), bad: goodChunk(4), error: /a chunk of 4 features per frame, but the network takes 3/, kind: RangeError },
  { name: 'score (a chunk the network cannot take)', stage: score(network()) as OperatorFunction<never, unknown>, good: goodChunk(), bad: goodChunk(4), error: /a chunk of 4 features per frame, but the network takes 3/, kind: RangeError },
  { name: 'sgd (a gradient that is not finite)', stage: sgd(network(), schedule) as OperatorFunction<never, unknown>, good: gradientOf(0.001), bad: gradientOf(NaN), error: /the gradient is not finite/, kind: DivergedError },
  {
    name: 'pushGradients (a gradient that is not finite)',
    stage: pushGradients(mailboxFor(layoutOf(spec).size), 10, () => {}) as OperatorFunction<never, unknown>,
    good: gradientOf(0.001),
    bad: gradientOf(Infinity),
    error: /the gradient is not finite/,
    kind: DivergedError,
  },
  {
    name: 'recognize (features of another dimension)',
    stage: recognize({ recognize: (u: { dim: number }) => { if (u.dim !== 3) throw new RangeError(`features have ${u.dim} dimensions, the network takes 3`); return { words: [], ends: new Int32Array(0), score: 0, final: true, frames: 0 }; } } as unknown as Recognizer) as OperatorFunction<never, unknown>,
    good: labelled('ok', 3),
    bad: labelled('bad', 4),
    error: /features have 4 dimensions, the network takes 3/,
    kind: RangeError,
  },
];

describe.each(cases)('$name', ({ stage, good, bad, error, kind }) => {
  it('sends a throw inside the stage to the subscriber as an error notification, in the frame the value arrived', () => {
    runMarbles(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('g-b-g-|', { g: good, b: bad });
      const emissions = (source as Observable<unknown> as Observable<never>).pipe(stage, map(() => 'x'));
      expectObservable(emissions).toBe('x-#', { x: 'x' }, errorLike(kind, error));
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
  });

  it('never reports the error as unhandled', async () => {
    const unhandled: unknown[] = [];
    const listen = (e: unknown) => unhandled.push(e);
    process.on('uncaughtException', listen);
    try {
      const errors: unknown[] = [];
      of(good, bad).pipe(stage as OperatorFunction<unknown, unknown>).subscribe({ error: (e) => errors.push(e) });
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(errors).toHaveLength(1);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('uncaughtException', listen);
    }
  });
});
