import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import { from, Subject } from 'rxjs';
import { describeErrors, numberWhere } from '../../model/codec.js';
import { Bin, plainMsgpack, unpackWhole } from '../../model/formats/tensors.js';
import { fromLittleEndian, littleEndianBytes } from '../../ops/codecs/little-endian.js';
import { initParameters } from '../../model/network/init.js';
import { networkOf, type Network } from '../../model/network/network.js';
import type { Schedule } from '../../model/network/schedule.js';
import type { LstmpSpec } from '../../ops/nn/lstmp.js';
import type { Kernels } from '../../ops/kernels/kernels.js';
import { mulberry32 } from '../../ops/random.js';
import { bptt } from '../pipeline/bptt.js';
import { chunk, type Chunk } from '../pipeline/chunk.js';
import { delayTargets } from '../pipeline/delay-targets.js';
import { localClock } from '../pipeline/frame-clock.js';
import { sgd, type TrainingStep } from '../pipeline/sgd.js';
import type { LabelledUtterance } from '../pipeline/utterance.js';

/**
 * A lesson: everything that decides what a small training run does, so that
 * the same lesson gives the same numbers wherever it runs (Node, a browser's
 * Web Worker) and can travel in a URL.
 */
export const LessonCodec = t.type({
  seed: numberWhere('a whole number ≥ 0', (n) => Number.isSafeInteger(n) && n >= 0),
  cells: numberWhere('a whole number in 1 … 512', (n) => Number.isInteger(n) && n >= 1 && n <= 512),
  projection: numberWhere('a whole number in 0 … 512', (n) => Number.isInteger(n) && n >= 0 && n <= 512),
  layers: numberWhere('a whole number in 1 … 4', (n) => Number.isInteger(n) && n >= 1 && n <= 4),
  /** truncated BPTT's steps per chunk */
  steps: numberWhere('a whole number in 1 … 200', (n) => Number.isInteger(n) && n >= 1 && n <= 200),
  streams: numberWhere('a whole number in 1 … 16', (n) => Number.isInteger(n) && n >= 1 && n <= 16),
  delay: numberWhere('a whole number in 0 … 20', (n) => Number.isInteger(n) && n >= 0 && n <= 20),
  learningRate: numberWhere('a number in (0, 1]', (n) => n > 0 && n <= 1),
  /** the utterance (index into the lesson's data) and chunk the BPTT view opens */
  utterance: numberWhere('a whole number ≥ 0', (n) => Number.isSafeInteger(n) && n >= 0),
  chunk: numberWhere('a whole number ≥ 0', (n) => Number.isSafeInteger(n) && n >= 0),
});
export type Lesson = t.TypeOf<typeof LessonCodec>;

/** A small network that learns SynthDigits' states in a minute, with the main job's schedule. */
export const DEFAULT_LESSON: Lesson = { seed: 1, cells: 64, projection: 32, layers: 1, steps: 20, streams: 4, delay: 5, learningRate: 0.002, utterance: 0, chunk: 0 };

/** A lesson's settings as URL search parameters (`?seed=1&cells=64&…`). */
export function lessonToSearch(lesson: Lesson): string {
  return new URLSearchParams(Object.entries(lesson).map(([key, value]): [string, string] => [key, String(value)])).toString();
}

/** A lesson from URL search parameters, the defaults filling what is absent; or what is wrong with them. */
export function lessonFromSearch(search: string): E.Either<string, Lesson> {
  const params = new URLSearchParams(search);
  const given: Record<string, unknown> = { ...DEFAULT_LESSON };
  for (const key of Object.keys(DEFAULT_LESSON)) {
    const value = params.get(key);
    if (value !== null) given[key] = value.trim() === '' ? NaN : Number(value);
  }
  return pipe(
    LessonCodec.decode(given),
    E.mapLeft((errors) => `the lesson in the URL: ${describeErrors(errors)}`),
  );
}

/** What a lesson trains on: labelled, normalised feature matrices and their state names. */
export interface LessonData {
  readonly states: readonly string[];
  readonly utterances: readonly LabelledUtterance[];
}

/** The lesson data as bytes (msgpack, each array as little-endian bytes, as checkpoints hold tensors), for the page to fetch. */
export function encodeLessonData(data: LessonData): Uint8Array {
  return plainMsgpack.pack({
    format: 'lstmp-lesson-data',
    version: 1,
    states: [...data.states],
    utterances: data.utterances.map((u) => ({ id: u.id, frames: u.frames, dim: u.dim, features: littleEndianBytes(u.features), targets: littleEndianBytes(u.targets) })),
  });
}

const DataCodec = t.type({
  format: t.literal('lstmp-lesson-data'),
  version: t.literal(1),
  states: t.array(t.string),
  utterances: t.array(t.type({ id: t.string, frames: t.number, dim: t.number, features: Bin, targets: Bin })),
});

/** Lesson data from bytes, or what is wrong with them (the first problem). */
export function decodeLessonData(bytes: Uint8Array): E.Either<string, LessonData> {
  const raw = unpackWhole(bytes);
  if (E.isLeft(raw)) return E.left(`not lesson data (${raw.left})`);
  const decoded = DataCodec.decode(raw.right);
  if (E.isLeft(decoded)) return E.left(`not lesson data: ${describeErrors(decoded.left.slice(0, 1))}`);
  const { states } = decoded.right;
  const utterances: LabelledUtterance[] = [];
  for (const u of decoded.right.utterances) {
    if (u.features.length !== 4 * u.frames * u.dim || u.targets.length !== 4 * u.frames) return E.left(`lesson data: utterance ${u.id} has ${u.frames} frames of ${u.dim} but ${u.features.length} bytes of features and ${u.targets.length} of targets`);
    const targets = fromLittleEndian(Int32Array, u.targets, 0, u.frames);
    if (!targets.every((s) => s >= -1 && s < states.length)) return E.left(`lesson data: utterance ${u.id} has a target outside the ${states.length} states`);
    utterances.push({ id: u.id, frames: u.frames, dim: u.dim, features: fromLittleEndian(Float32Array, u.features, 0, u.frames * u.dim), targets });
  }
  return E.right({ states, utterances });
}

/** The network a lesson trains: its shape from the lesson and the data, its weights drawn from the seed, on `kernels`' memory. */
export function lessonNetwork(lesson: Lesson, data: LessonData, kernels: Kernels): Network {
  const spec: LstmpSpec = { inputs: data.utterances[0]?.dim ?? 40, cells: lesson.cells, projection: lesson.projection, layers: lesson.layers, outputs: data.states.length, cellClip: 50, peepholes: true };
  const drawn = initParameters(spec, lesson.seed, 0.1);
  const parameters = kernels.alloc(drawn.length);
  parameters.set(drawn);
  return networkOf(spec, parameters, kernels);
}

/** The schedule of a lesson: lstmp train's default preset at the lesson's rate, without decay. */
export function lessonSchedule(lesson: Lesson): Schedule {
  return { learningRate: lesson.learningRate, decay: 1, decayFrames: 1_000_000, biasRateFactor: 0.1, gradientClip: Infinity, momentum: 0.5 };
}

/**
 * The chunks a lesson trains on, without end: each epoch the utterances in
 * an order drawn from the seed, delayed and chunked into `streams` ×
 * `steps`. Pure in the seed.
 */
export function* lessonChunks(lesson: Lesson, data: LessonData): Generator<Chunk, never> {
  const random = mulberry32(lesson.seed);
  if (data.utterances.length === 0) throw new RangeError('a lesson needs at least one utterance');
  for (;;) {
    const order = data.utterances.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const chunks: Chunk[] = [];
    from(order.map((i) => data.utterances[i]))
      .pipe(delayTargets(lesson.delay), chunk({ streams: lesson.streams, steps: lesson.steps }))
      .subscribe((c) => chunks.push(c));
    yield* chunks;
  }
}

/**
 * Chunks 0 … `index` of one utterance of the lesson, alone in its stream
 * (delayed, `steps` long): what the BPTT view opens, with the chunks before
 * it to carry the state in. Refused in words when the utterance has fewer.
 */
export function lessonChunkOf(lesson: Lesson, data: LessonData, utterance: number, steps: number, index: number): Chunk[] {
  const chosen = data.utterances[utterance];
  if (chosen === undefined) throw new RangeError(`there is no utterance ${utterance} (the lesson has ${data.utterances.length})`);
  const chunks: Chunk[] = [];
  from([chosen])
    .pipe(delayTargets(lesson.delay), chunk({ streams: 1, steps }))
    .subscribe((c) => chunks.push(c));
  if (index >= chunks.length) throw new RangeError(`utterance ${chosen.id} has ${chunks.length} chunks of ${steps} steps; there is no chunk ${index}`);
  return chunks.slice(0, index + 1);
}

/** A lesson's training, one update at a time, at the caller's pace (a page's worker between its messages). */
export interface LessonTrainer {
  readonly network: Network;
  /** the next chunk through truncated BPTT and the update */
  next(): TrainingStep;
}

/**
 * Trains a lesson's network on its data: {@link lessonChunks} through the
 * `bptt` and `sgd` stages with the lesson's schedule (SGD with momentum
 * 0.5, biases and peepholes at a tenth of the rate). The same lesson and
 * data give the same steps, bit for bit, on the same kernels, wherever it
 * runs.
 *
 * @example
 * const trainer = lessonTrainer(lesson, data, lessonNetwork(lesson, data, kernels));
 * for (let k = 0; k < 100; k++) chart.add(trainer.next().loss);
 */
export function lessonTrainer(lesson: Lesson, data: LessonData, network: Network): LessonTrainer {
  const chunks = lessonChunks(lesson, data);
  const input = new Subject<Chunk>();
  let last: TrainingStep | null = null;
  let failure: unknown = null;
  input.pipe(bptt(network), sgd(network, lessonSchedule(lesson), localClock())).subscribe({ next: (step) => (last = step), error: (error: unknown) => (failure = error) });
  return {
    network,
    next() {
      last = null;
      input.next(chunks.next().value);
      if (failure !== null) throw failure;
      if (last === null) throw new Error('a chunk gave no training step');
      return last;
    },
  };
}
