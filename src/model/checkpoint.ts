import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { decodeModelConfig, NonNegativeInt, type ModelConfig } from './config.js';
import { describeErrors } from './errors.js';
import { layoutOf } from './layout.js';
import { decodeTensor, decodeTensors, encodeTensor, encodeTensors, plainMsgpack, unpackWhole } from './tensors.js';

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
  cmvn?: Cmvn;
  /** [O] prior probability of each output state, for hybrid decoding */
  priors?: Float32Array;
  /** [O] the name of each output state */
  states?: string[];
  /** top-level fields unknown to this version, as decoded */
  extra?: Record<string, unknown>;
}

/** Where training stands, so a run can resume its learning-rate schedule. */
export interface TrainingPosition {
  framesSeen: number;
  updates: number;
  epoch: number;
}

/** Per-dimension feature normalisation estimated over `count` frames. */
export interface Cmvn {
  count: number;
  /** [I] */
  mean: Float32Array;
  /** [I] */
  variance: Float32Array;
}

export const CHECKPOINT_FORMAT = 'lstmp-checkpoint';
export const CHECKPOINT_VERSION = 1;

const TrainingCodec = t.type({ framesSeen: NonNegativeInt, updates: NonNegativeInt, epoch: NonNegativeInt });
const CmvnCodec = t.type({ count: NonNegativeInt, mean: t.unknown, variance: t.unknown });
const OptionalFields = t.partial({ training: TrainingCodec, cmvn: CmvnCodec, priors: t.unknown, states: t.array(t.string) });
const KNOWN = new Set(['format', 'version', 'config', 'tensors', 'training', 'cmvn', 'priors', 'states']);

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
  const { inputs: I, outputs: O } = ck.config;
  const extra = Object.entries(ck.extra ?? {}).filter(([key]) => !KNOWN.has(key));
  const map: Record<string, unknown> = {
    ...Object.fromEntries(extra),
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    config: { ...ck.config },
    tensors: encodeTensors(layout, ck.parameters),
  };
  if (ck.training) map.training = { ...ck.training };
  if (ck.cmvn) map.cmvn = { count: ck.cmvn.count, mean: encodeTensor([I], ck.cmvn.mean), variance: encodeTensor([I], ck.cmvn.variance) };
  if (ck.priors) map.priors = encodeTensor([O], ck.priors);
  if (ck.states) map.states = [...ck.states];
  return plainMsgpack.pack(map);
}

/**
 * Reads checkpoint bytes, or says in one phrase why they are not a usable
 * checkpoint: not MessagePack, truncated, another format or version, a bad
 * config, missing, unexpected or mis-shaped tensors, NaN/Inf values.
 */
export function decodeCheckpoint(bytes: Uint8Array): E.Either<string, Checkpoint> {
  const unpacked = unpackWhole(bytes);
  if (E.isLeft(unpacked)) return unpacked;
  const map = unpacked.right;
  if (map === null || typeof map !== 'object' || Array.isArray(map) || map instanceof Uint8Array) return E.left('not an lstmp checkpoint (not a map)');
  const fields = map as Record<string, unknown>;
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
  const { training, cmvn, priors, states } = optional.right;
  const { inputs: I, outputs: O } = config.right;
  const ck: Checkpoint = { config: config.right, parameters: parameters.right };
  if (training) ck.training = { framesSeen: training.framesSeen, updates: training.updates, epoch: training.epoch };
  if (cmvn) {
    const mean = decodeTensor('cmvn.mean', cmvn.mean, [I]);
    if (E.isLeft(mean)) return mean;
    const variance = decodeTensor('cmvn.variance', cmvn.variance, [I]);
    if (E.isLeft(variance)) return variance;
    ck.cmvn = { count: cmvn.count, mean: mean.right, variance: variance.right };
  }
  if (priors !== undefined) {
    const values = decodeTensor('priors', priors, [O]);
    if (E.isLeft(values)) return values;
    ck.priors = values.right;
  }
  if (states) {
    if (states.length !== O) return E.left(`states names ${states.length} states, the config has ${O} outputs`);
    ck.states = states;
  }
  const unknown = Object.keys(fields).filter((key) => !KNOWN.has(key));
  if (unknown.length > 0) ck.extra = Object.fromEntries(unknown.map((key) => [key, fields[key]]));
  return E.right(ck);
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : String(value).slice(0, 40);
}
