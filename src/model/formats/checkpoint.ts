import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { CmvnStats } from '../../ops/dsp/cmvn.js';
import { decodeModelConfig, type ModelConfig } from '../network/config.js';
import { decodeDecodingModel, encodeDecodingModel, type DecodingModel } from '../decoding/decoding-model.js';
import { describeErrors, NonNegativeInt, PositiveInt } from '../codec.js';
import { layoutOf } from '../network/layout.js';
import { decodeTensor, decodeTensors, encodeTensor, encodeTensors, isMap, plainMsgpack, unpackWhole } from './tensors.js';

/**
 * A trained or initialised network as one MessagePack map (docs/checkpoint.md):
 * `{format: "lstmp-checkpoint", version: 1, config, tensors}` plus optional
 * fields for resuming training and decoding. Fields this version does not know
 * are kept in `extra`, so an older lstmp loads and re-saves a newer file intact.
 */
export interface Checkpoint {
  config: ModelConfig;
  /** every tensor, in {@link layoutOf} order */
  parameters: Float32Array;
  training?: TrainingPosition;
  /** corpus feature statistics the network was trained with, [I] sums each */
  cmvn?: CmvnStats;
  /** [O] prior probability of each output state, for hybrid decoding */
  priors?: Float32Array;
  /** [O] the name of each output state */
  states?: string[];
  /** frames the output labels are delayed by (the paper's 5): the network names frame t's state at t + delay */
  delay?: number;
  /** what hybrid decoding needs besides the network and the priors: lexicon, HMM transitions, bigram, … */
  decoding?: DecodingModel;
  /** top-level fields unknown to this version, as decoded */
  extra?: Record<string, unknown>;
}

/** Where training stands, so a run can resume its learning-rate schedule. */
export interface TrainingPosition {
  framesSeen: number;
  updates: number;
  epoch: number;
}

export const CHECKPOINT_FORMAT = 'lstmp-checkpoint';
export const CHECKPOINT_VERSION = 1;

const TrainingCodec = t.type({ framesSeen: NonNegativeInt, updates: NonNegativeInt, epoch: NonNegativeInt });
// Statistics of no frames would normalise nothing, silently: a checkpoint's come from its training corpus.
const CmvnCodec = t.type({ count: PositiveInt, sum: t.array(t.number), sumSquares: t.array(t.number) });
const OptionalFields = t.partial({ training: TrainingCodec, cmvn: CmvnCodec, priors: t.unknown, states: t.array(t.string), delay: NonNegativeInt, decoding: t.unknown });
const KNOWN = new Set(['format', 'version', 'config', 'tensors', 'training', 'cmvn', 'priors', 'states', 'delay', 'decoding']);

/**
 * The MessagePack bytes of a checkpoint.
 *
 * @example writeAtomic('ck.msgpack', encodeCheckpoint({ config, parameters: initParameters(config, 1) }))
 */
export function encodeCheckpoint(ck: Checkpoint): Uint8Array {
  const layout = layoutOf(ck.config);
  if (ck.parameters.length !== layout.size) {
    throw new RangeError(`checkpoint holds ${ck.parameters.length} parameters, the config needs ${layout.size}`);
  }
  const extra = Object.entries(ck.extra ?? {}).filter(([key]) => !KNOWN.has(key));
  const map: Record<string, unknown> = {
    ...Object.fromEntries(extra),
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    config: { ...ck.config },
    tensors: encodeTensors(layout, ck.parameters),
  };
  if (ck.training) map.training = { ...ck.training };
  // float64 sums as plain MessagePack doubles: exact, and only I of them.
  if (ck.cmvn) map.cmvn = { count: ck.cmvn.count, sum: Array.from(ck.cmvn.sum), sumSquares: Array.from(ck.cmvn.sumSquares) };
  if (ck.priors) map.priors = encodeTensor([ck.config.outputs], ck.priors);
  if (ck.states) map.states = [...ck.states];
  if (ck.delay !== undefined) map.delay = ck.delay;
  if (ck.decoding) map.decoding = encodeDecodingModel(ck.decoding);
  return plainMsgpack.pack(map);
}

/**
 * Reads checkpoint bytes, or says in one phrase why they are not a usable
 * checkpoint: not MessagePack, truncated, another format or version, a bad
 * config, missing, unexpected or mis-shaped tensors, NaN/Inf values.
 */
export function decodeCheckpoint(bytes: Uint8Array): E.Either<string, Checkpoint> {
  const unpacked = unpackWhole(bytes);
  // Another kind of file (a WAV, a .npy) reads as a small MessagePack value followed by the rest of the
  // file: it is not a checkpoint, which is one map, rather than a checkpoint with bytes after it.
  if (E.isLeft(unpacked)) return bytes.length > 0 && !startsMap(bytes[0]) && unpacked.left.startsWith('trailing bytes') ? E.left('not an lstmp checkpoint (not a map)') : unpacked;
  const fields = unpacked.right;
  if (!isMap(fields)) return E.left('not an lstmp checkpoint (not a map)');
  if (fields.format !== CHECKPOINT_FORMAT) return E.left(`not an lstmp checkpoint (format is ${describe(fields.format)})`);
  if (fields.version !== CHECKPOINT_VERSION) {
    return E.left(`unsupported checkpoint version ${describe(fields.version)} (this lstmp reads version ${CHECKPOINT_VERSION})`);
  }
  if (!('config' in fields)) return E.left('no config');
  const config = decodeModelConfig(fields.config);
  if (E.isLeft(config)) return config;
  if (!('tensors' in fields)) return E.left('no tensors');
  const parameters = decodeTensors(layoutOf(config.right), fields.tensors);
  if (E.isLeft(parameters)) return parameters;

  const optional = OptionalFields.decode(fields);
  if (E.isLeft(optional)) return E.left(describeErrors(optional.left));
  const { training, cmvn, priors, states, delay, decoding } = optional.right;
  const { inputs: I, outputs: O } = config.right;
  const ck: Checkpoint = { config: config.right, parameters: parameters.right };
  if (training) ck.training = { framesSeen: training.framesSeen, updates: training.updates, epoch: training.epoch };
  if (cmvn) {
    if (cmvn.sum.length !== I || cmvn.sumSquares.length !== I) return E.left(`cmvn sums must hold ${I} values each, one per input`);
    if (![...cmvn.sum, ...cmvn.sumSquares].every(Number.isFinite)) return E.left('cmvn holds NaN or Inf values');
    ck.cmvn = { count: cmvn.count, sum: Float64Array.from(cmvn.sum), sumSquares: Float64Array.from(cmvn.sumSquares) };
  }
  if (priors !== undefined) {
    const values = decodeTensor('priors', priors, [O]);
    if (E.isLeft(values)) return values;
    ck.priors = values.right;
  }
  if (delay !== undefined) ck.delay = delay;
  if (states) {
    if (states.length !== O) return E.left(`states names ${states.length} states, the config has ${O} outputs`);
    ck.states = states;
  }
  if (decoding !== undefined) {
    const model = decodeDecodingModel(decoding, O);
    if (E.isLeft(model)) return E.left(`decoding: ${model.left}`);
    ck.decoding = model.right;
  }
  const unknown = Object.keys(fields).filter((key) => !KNOWN.has(key));
  if (unknown.length > 0) ck.extra = Object.fromEntries(unknown.map((key) => [key, fields[key]]));
  return E.right(ck);
}

/** Whether a MessagePack value starting with this byte is a map (fixmap, map 16, map 32). */
function startsMap(byte: number): boolean {
  return (byte & 0xf0) === 0x80 || byte === 0xde || byte === 0xdf;
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : String(value).slice(0, 40);
}
