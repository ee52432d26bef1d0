/**
 * fast-check arbitraries for kernels, networks and utterances: small random
 * shapes with the edges included (0 and 1 sizes, offsets, padded rows,
 * values that make clips and overflow matter), so a property over them meets
 * the cases a kernel gets wrong.
 */
import fc from 'fast-check';
import type { Observable } from 'rxjs';
import { INIT_RANGE, initParameters } from '../model/network/init.js';
import { layoutOf } from '../model/network/layout.js';
import { recurrentSize, type LstmpSpec, type LstmpState } from '../ops/nn/lstmp.js';
import { mulberry32 } from '../ops/random.js';
import { chunk, type Chunk, type ChunkOptions } from '../streams/pipeline/chunk.js';
import { NO_TARGET, type LabelledUtterance } from '../streams/pipeline/utterance.js';
import type { ChunkData } from './network.js';
import type { SgemmCall } from './references.js';

/** `length` values uniform in [−scale, scale) from a seed: large arrays without fast-check generating (and printing) each element. */
export function seededFloats(length: number, seed: number, scale = 1): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({ length }, () => scale * (2 * random() - 1));
}

/** One sgemm call's shapes, scalars and offsets, the floats each matrix's rows have beyond their length, and the seed of the matrices' values. */
export interface SgemmCase extends Pick<SgemmCall, 'transA' | 'transB' | 'm' | 'n' | 'k' | 'alpha' | 'beta' | 'offA' | 'offB' | 'offC'> {
  /** ld = row length + pad */
  readonly padA: number;
  readonly padB: number;
  readonly padC: number;
  readonly seed: number;
}

const scalar = fc.oneof(fc.constantFrom(0, 1, -1), fc.double({ min: -2, max: 2, noNaN: true }).map(Math.fround));

/** Small sgemm calls (sizes 0 and 1 included, none a multiple of a register tile by design) with everything else random. */
export function sgemmCase(): fc.Arbitrary<SgemmCase> {
  return fc.record({
    transA: fc.boolean(),
    transB: fc.boolean(),
    m: fc.integer({ min: 0, max: 13 }),
    n: fc.integer({ min: 0, max: 19 }),
    k: fc.integer({ min: 0, max: 21 }),
    alpha: scalar,
    beta: scalar,
    offA: fc.integer({ min: 0, max: 5 }),
    offB: fc.integer({ min: 0, max: 5 }),
    offC: fc.integer({ min: 0, max: 5 }),
    padA: fc.integer({ min: 0, max: 3 }),
    padB: fc.integer({ min: 0, max: 3 }),
    padC: fc.integer({ min: 0, max: 3 }),
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
  });
}

/**
 * One LSTM step of `rows` streams × C cells, `skip` rows into its arrays (so
 * offsets are exercised), with everything the forward and backward steps
 * read: pre-activations up to ±4, cells up to ±2 and clips that bite.
 */
export interface CellStepCase {
  readonly C: number;
  readonly rows: number;
  /** rows of other data before the step's rows */
  readonly skip: number;
  readonly cellClip: number;
  readonly peepholes: boolean;
  /** [skip + rows, 4C] pre-activations */
  readonly gates: Float32Array;
  /** c_{t−1} in rows skip.., c_t after them: [skip + 2·rows, C] */
  readonly c: Float32Array;
  /** [3, C] */
  readonly peephole: Float32Array;
  /** [skip + rows, C] */
  readonly dm: Float32Array;
  /** [rows, C] */
  readonly dc: Float32Array;
  /** [3, C] */
  readonly dPeephole: Float32Array;
}

export function cellStepCase(): fc.Arbitrary<CellStepCase> {
  return fc
    .record({
      C: fc.integer({ min: 1, max: 13 }),
      rows: fc.integer({ min: 1, max: 4 }),
      skip: fc.integer({ min: 0, max: 2 }),
      cellClip: fc.constantFrom(50, 1.5, 0.3),
      peepholes: fc.boolean(),
      seed: fc.integer(),
    })
    .map(({ seed, ...c }) => {
      const cells = (c.skip + c.rows) * c.C;
      const values = (length: number, scale: number, part: number) => seededFloats(length, seed * 8 + part, scale);
      return {
        ...c,
        gates: values(4 * cells, 4, 0),
        c: values(cells + c.rows * c.C, 2, 1),
        peephole: values(3 * c.C, 1, 2),
        dm: values(cells, 1, 3),
        dc: values(c.rows * c.C, 1, 4),
        dPeephole: values(3 * c.C, 1, 5),
      };
    });
}

/** A [rows, cols] matrix of logits with targets and a mask per row. */
export interface SoftmaxCase {
  readonly rows: number;
  readonly cols: number;
  readonly x: Float32Array;
  readonly targets: Int32Array;
  /** 0 (a masked row), 1 or ½ */
  readonly mask: Float32Array;
}

/**
 * Up to 41 columns (rows of whole SIMD vectors, of vectors and a remainder,
 * and shorter than one vector); logits within ±80 of a row offset that is
 * often 0 and sometimes thousands, far past where exp overflows unless the
 * row maximum is subtracted first.
 */
export function softmaxCase(): fc.Arbitrary<SoftmaxCase> {
  return fc.record({ rows: fc.integer({ min: 1, max: 6 }), cols: fc.integer({ min: 1, max: 41 }) }).chain(({ rows, cols }) =>
    fc.record({
      rows: fc.constant(rows),
      cols: fc.constant(cols),
      x: fc
        .tuple(
          fc.float32Array({ minLength: rows * cols, maxLength: rows * cols, min: -80, max: 80, noNaN: true }),
          fc.array(fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -5000, max: 5000 }) }), { minLength: rows, maxLength: rows }),
        )
        .map(([x, offsets]) => x.map((v, i) => v + offsets[Math.floor(i / cols)])),
      targets: fc.array(fc.integer({ min: 0, max: cols - 1 }), { minLength: rows, maxLength: rows }).map((a) => Int32Array.from(a)),
      mask: fc.array(fc.constantFrom(0, 1, 0.5), { minLength: rows, maxLength: rows }).map((a) => Float32Array.from(a)),
    }),
  );
}

/** One sgdStep call: a slice of arrays long enough for it, gradients large enough for the clip to bite. */
export interface SgdStepCase {
  /** the slice is [before, before + length) of arrays with `after` more elements */
  readonly before: number;
  readonly length: number;
  readonly after: number;
  readonly rate: number;
  readonly momentum: number;
  /** false only with momentum 0 */
  readonly withVelocity: boolean;
  readonly clip: number;
  readonly params: Float32Array;
  readonly velocity: Float32Array;
  readonly gradient: Float32Array;
}

export function sgdStepCase(): fc.Arbitrary<SgdStepCase> {
  return fc
    .record({
      length: fc.integer({ min: 0, max: 70 }),
      before: fc.integer({ min: 0, max: 9 }),
      after: fc.integer({ min: 0, max: 9 }),
      rate: fc.double({ min: 1e-4, max: 2, noNaN: true }),
      momentum: fc.constantFrom(0, 0.5, 0.9),
      withVelocity: fc.boolean(),
      clip: fc.constantFrom(Infinity, 1, 0.25),
    })
    .chain((c) => {
      const size = c.before + c.length + c.after;
      const values = (scale: number) => fc.float32Array({ minLength: size, maxLength: size, noNaN: true, noDefaultInfinity: true, min: -scale, max: scale });
      return fc.record({ params: values(10), velocity: values(1), gradient: values(4) }).map((arrays) => ({ ...c, withVelocity: c.withVelocity || c.momentum !== 0, ...arrays }));
    });
}

/** Up to 70 float32 values, mostly finite, sometimes NaN, ±Infinity, the largest finite floats, subnormals or signed zeros. */
export function floatsWithSpecials(): fc.Arbitrary<Float32Array> {
  const special = fc.constantFrom(NaN, Infinity, -Infinity, 3.4e38, -3.4e38, 1e-45, 0, -0);
  return fc
    .array(fc.oneof({ weight: 20, arbitrary: fc.float({ noNaN: true, noDefaultInfinity: true }) }, { weight: 1, arbitrary: special }), { maxLength: 70 })
    .map((values) => Float32Array.from(values));
}

/** Bounds of {@link lstmpSpec}'s networks. */
export interface LstmpSpecBounds {
  readonly maxInputs?: number;
  readonly maxCells?: number;
  readonly maxProjection?: number;
  readonly maxLayers?: number;
  readonly minOutputs?: number;
  readonly maxOutputs?: number;
  /** default: always 50 */
  readonly cellClip?: fc.Arbitrary<number>;
}

/** Tiny LSTMP networks: 1–3 inputs, cells and layers, a projection of 0 (a plain LSTM) to 2, 2–4 outputs, with or without peepholes. */
export function lstmpSpec(bounds: LstmpSpecBounds = {}): fc.Arbitrary<LstmpSpec> {
  return fc.record({
    inputs: fc.integer({ min: 1, max: bounds.maxInputs ?? 3 }),
    cells: fc.integer({ min: 1, max: bounds.maxCells ?? 3 }),
    projection: fc.integer({ min: 0, max: bounds.maxProjection ?? 2 }),
    layers: fc.integer({ min: 1, max: bounds.maxLayers ?? 3 }),
    outputs: fc.integer({ min: bounds.minOutputs ?? 2, max: bounds.maxOutputs ?? 4 }),
    cellClip: bounds.cellClip ?? fc.constant(50),
    peepholes: fc.boolean(),
  });
}

/**
 * Parameters for `spec` as lstmp initialises a network: a flat buffer in
 * lstmp's layout (`layoutOf(spec).size` values), every one uniform in
 * (−range, range) (|p| ≤ float32(range)), from a drawn seed, by lstmp's own
 * `initParameters`. The paper's range, 0.02, is the default; the `default`
 * preset's is 0.1. Shrinking changes the seed, not the range.
 *
 * @example
 * // a fresh network (as `lstmp init --init-range 0.1` makes one) gives finite log-posteriors
 * const fresh = lstmpSpec().chain((spec) => lstmpParameters(spec, 0.1).map((params) => ({ spec, params })));
 * fc.assert(fc.property(fresh, ({ spec, params }) => {
 *   const chunk = { steps: 2, streams: 1, x: new Float32Array(2 * spec.inputs).fill(1), targets: new Int32Array(2), mask: new Float32Array(2).fill(1) };
 *   return runForward(portableKernels, spec, params, chunk).logp.every(Number.isFinite);
 * }));
 */
export function lstmpParameters(spec: LstmpSpec, range: number = INIT_RANGE): fc.Arbitrary<Float32Array> {
  if (!(range > 0 && Number.isFinite(range))) throw new RangeError(`the init range must be positive and finite, got ${range}`);
  return fc.integer().map((seed) => initParameters(spec, seed, range));
}

/** A network, its parameters, a chunk and the state carried into it. */
export interface LstmpCase {
  readonly spec: LstmpSpec;
  readonly params: Float32Array;
  readonly chunk: ChunkData;
  /** r within ±0.9, c within ±2 */
  readonly state: LstmpState;
}

export interface LstmpCaseOptions extends LstmpSpecBounds {
  /** the chunk's steps; default 1–4 */
  readonly steps?: { readonly min: number; readonly max: number };
  /**
   * Parameters uniform in ±0.8 from a seed, rather than fast-check's floats
   * in ±0.8, which favour 0 and tiny values (and so shrink towards them):
   * spread weights make every path count, peepholes too.
   */
  readonly spreadWeights?: boolean;
}

const float = (bound: number) => fc.float({ min: Math.fround(-bound), max: Math.fround(bound), noNaN: true });

/** A tiny network ({@link lstmpSpec}), a chunk of 1–3 streams with a random mask, targets and reset flags, and a random carried state. */
export function lstmpCase(options: LstmpCaseOptions = {}): fc.Arbitrary<LstmpCase> {
  return lstmpSpec(options).chain((spec) =>
    fc.record({ steps: fc.integer(options.steps ?? { min: 1, max: 4 }), streams: fc.integer({ min: 1, max: 3 }) }).chain(({ steps: T, streams: B }) => {
      const R = recurrentSize(spec);
      const size = layoutOf(spec).size;
      return fc.record({
        spec: fc.constant(spec),
        params: options.spreadWeights
          ? lstmpParameters(spec, 0.8)
          : fc.float32Array({ minLength: size, maxLength: size, min: Math.fround(-0.8), max: Math.fround(0.8), noNaN: true }),
        chunk: fc.record({
          steps: fc.constant(T),
          streams: fc.constant(B),
          x: fc.float32Array({ minLength: T * B * spec.inputs, maxLength: T * B * spec.inputs, min: -2, max: 2, noNaN: true }),
          targets: fc.array(fc.integer({ min: 0, max: spec.outputs - 1 }), { minLength: T * B, maxLength: T * B }).map((a) => Int32Array.from(a)),
          mask: fc.array(fc.constantFrom(0, 1, 1), { minLength: T * B, maxLength: T * B }).map((a) => Float32Array.from(a)),
          reset: fc.array(fc.constantFrom(0, 1), { minLength: B, maxLength: B }).map((a) => Uint8Array.from(a)),
        }),
        state: fc.record({
          r: fc.array(fc.array(float(0.9), { minLength: B * R, maxLength: B * R }).map((a) => Float32Array.from(a)), { minLength: spec.layers, maxLength: spec.layers }),
          c: fc.array(fc.array(float(2), { minLength: B * spec.cells, maxLength: B * spec.cells }).map((a) => Float32Array.from(a)), { minLength: spec.layers, maxLength: spec.layers }),
        }),
      });
    }),
  );
}

/**
 * Up to `maxUtterances` labelled utterances (ids u0, u1, …) of 0 to
 * `maxFrames` frames, all of one feature dimension, some frames without a
 * target; every feature value is distinct and none is 0 (padding's value),
 * so a frame can be recognised wherever a stage puts it.
 */
export function labelledUtterances(options: { readonly maxUtterances?: number; readonly maxFrames?: number; readonly maxDim?: number } = {}): fc.Arbitrary<LabelledUtterance[]> {
  const lengths = fc.array(fc.integer({ min: 0, max: options.maxFrames ?? 45 }), { maxLength: options.maxUtterances ?? 12 });
  return fc.record({ lengths, dim: fc.integer({ min: 1, max: options.maxDim ?? 3 }), unlabelled: fc.integer({ min: 0, max: 3 }) }).map(({ lengths, dim, unlabelled }) => {
    let counted = 0; // values so far: the next utterance's features continue from there (exact in float32 below 2^24)
    return lengths.map((frames, u) => {
      const features = Float32Array.from({ length: frames * dim }, (_, i) => counted + i + 1);
      counted += frames * dim;
      // with `unlabelled` > 0, one frame in every unlabelled + 2 has no target
      const targets = Int32Array.from({ length: frames }, (_, t) => (unlabelled > 0 && t % (unlabelled + 2) === unlabelled ? NO_TARGET : (u + t) % 7));
      return { id: `u${u}`, frames, dim, features, targets };
    });
  });
}

/** Utterances, a chunk shape and what lstmp's chunk stage makes of them. */
export interface ChunkedUtterances {
  readonly utterances: readonly LabelledUtterance[];
  /** B */
  readonly streams: number;
  /** T */
  readonly steps: number;
  /**
   * [T, B] chunks, as `chunk({ streams, steps })` emits them for the
   * utterances in order: they honour the chunk contract (`checkChunkContract`)
   */
  readonly chunks: readonly Chunk[];
}

/**
 * Chunks for truncated BPTT that honour the chunk contract, for properties of
 * whatever consumes chunks (a training stage, a scorer, a chunk writer):
 * {@link labelledUtterances} (with its bounds) packed by lstmp's own `chunk`
 * stage into 1 to `maxStreams` streams (default 4) of 1 to `maxSteps` steps
 * (default 10). They hold every case the contract names: streams continuing
 * an utterance (reset 0) and starting one (reset 1), padding after an
 * utterance's last frame (features 0, target NO_TARGET, mask 0), frames
 * without a target (mask 0), streams idle once the data runs out, and no
 * chunks at all when every utterance is empty.
 *
 * @example
 * fc.assert(fc.property(chunkedUtterances(), ({ utterances, streams, steps, chunks }) => {
 *   checkChunkContract(chunks, utterances, { streams, steps }); // holds by construction
 *   const frames = chunks.reduce((n, c) => n + c.mask.reduce((a, m) => a + m, 0), 0); // the frames a consumer must train on
 * }));
 */
export function chunkedUtterances(
  options: { readonly maxUtterances?: number; readonly maxFrames?: number; readonly maxDim?: number; readonly maxStreams?: number; readonly maxSteps?: number } = {},
): fc.Arbitrary<ChunkedUtterances> {
  return fc
    .record({ utterances: labelledUtterances(options), streams: fc.integer({ min: 1, max: options.maxStreams ?? 4 }), steps: fc.integer({ min: 1, max: options.maxSteps ?? 10 }) })
    .map(({ utterances, streams, steps }) => ({ utterances, streams, steps, chunks: chunkAll(utterances, { streams, steps }) }));
}

/**
 * lstmp's chunk stage over an array, synchronously. The stage (written with
 * `operate`) only subscribes to its source, so an array's subscribable
 * stands in for RxJS's `from(utterances)`: the kit imports nothing of RxJS at
 * run time but `rxjs/testing`.
 */
function chunkAll(utterances: readonly LabelledUtterance[], shape: ChunkOptions): Chunk[] {
  const source = {
    subscribe(observer: { next(u: LabelledUtterance): void; complete(): void }) {
      for (const u of utterances) observer.next(u);
      observer.complete();
      return { unsubscribe() {} };
    },
  };
  const chunks: Chunk[] = [];
  let failure: { error: unknown } | null = null;
  chunk(shape)(source as unknown as Observable<LabelledUtterance>).subscribe({ next: (c) => chunks.push(c), error: (error: unknown) => (failure = { error }) });
  if (failure !== null) throw (failure as { error: unknown }).error;
  return chunks;
}
