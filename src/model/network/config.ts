import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import type { LstmpSpec } from '../../ops/nn/lstmp.js';
import { describeErrors, NonNegativeInt, PositiveFinite, PositiveInt, withDefault } from '../codec.js';
import { parameterTotal } from './layout.js';

/**
 * A network's configuration. Unknown fields are rejected (a typo must not be
 * silently ignored); cellClip defaults to 50 and peepholes to true.
 */
export const ModelConfigCodec = t.exact(
  t.type({
    inputs: PositiveInt,
    cells: PositiveInt,
    projection: withDefault(NonNegativeInt, 0),
    layers: PositiveInt,
    outputs: PositiveInt,
    cellClip: withDefault(PositiveFinite, 50),
    peepholes: withDefault(t.boolean, true),
  }),
  'an object',
);

/** A decoded configuration: exactly the shape the operators take. */
export type ModelConfig = LstmpSpec;

/**
 * The most parameters a network may have: 1 GiB of float32. Training holds
 * the parameters, their gradient and the momentum in one WebAssembly memory
 * (at most 4 GiB); a config asking for more is refused before anything is
 * allocated (the paper's largest network has 13.2 M).
 */
export const MAX_PARAMETERS = 2 ** 28;

/** Decodes a configuration, or says in words which field is wrong, or that the network it describes is too large to hold. */
export function decodeModelConfig(input: unknown): E.Either<string, ModelConfig> {
  if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
    const known = new Set(Object.keys(ModelConfigCodec.type.props));
    const unknown = Object.keys(input).filter((key) => !known.has(key));
    if (unknown.length > 0) return E.left(`unknown config field ${unknown.map((k) => `"${k}"`).join(', ')}`);
  }
  return pipe(
    ModelConfigCodec.decode(input),
    E.mapLeft((errors) => `invalid config: ${describeErrors(errors)}`),
    E.map((c) => ({ ...c })),
    E.filterOrElse(
      (config) => parameterTotal(config) <= MAX_PARAMETERS,
      (config) => `invalid config: ${describeNetwork(config)} has ${parameterTotal(config).toLocaleString('en-US')} parameters, more than lstmp holds (${MAX_PARAMETERS.toLocaleString('en-US')})`,
    ),
  );
}

/** "2-layer LSTMP (128 cells, 64 projection units)" */
export function describeNetwork(spec: LstmpSpec): string {
  const kind = spec.projection > 0 ? `LSTMP (${spec.cells} cells, ${spec.projection} projection units)` : `LSTM (${spec.cells} cells)`;
  return `${spec.layers}-layer ${kind}`;
}
