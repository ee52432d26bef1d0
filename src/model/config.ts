import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import type { LstmpSpec } from '../ops/lstmp.js';
import { describeErrors } from './errors.js';

interface PositiveIntBrand {
  readonly PositiveInt: unique symbol;
}
/** A whole number ≥ 1. */
export const PositiveInt = t.brand(
  t.number,
  (n): n is t.Branded<number, PositiveIntBrand> => Number.isInteger(n) && n >= 1,
  'PositiveInt',
);

interface NonNegativeIntBrand {
  readonly NonNegativeInt: unique symbol;
}
/** A whole number ≥ 0. */
export const NonNegativeInt = t.brand(
  t.number,
  (n): n is t.Branded<number, NonNegativeIntBrand> => Number.isInteger(n) && n >= 0,
  'NonNegativeInt',
);

interface PositiveFiniteBrand {
  readonly PositiveFinite: unique symbol;
}
/** A finite number > 0. */
export const PositiveFinite = t.brand(
  t.number,
  (n): n is t.Branded<number, PositiveFiniteBrand> => Number.isFinite(n) && n > 0,
  'PositiveFinite',
);

/** A codec that fills in `fallback` where the field is absent. */
export function withDefault<C extends t.Mixed>(codec: C, fallback: t.TypeOf<C>): t.Type<t.TypeOf<C>, t.OutputOf<C>, unknown> {
  return new t.Type(
    codec.name,
    codec.is,
    (u, c) => (u === undefined ? t.success(fallback) : codec.validate(u, c)),
    codec.encode,
  );
}

/**
 * A network's configuration. Unknown fields are rejected (a typo must not be
 * silently ignored); cellClip defaults to 50 and peepholes to true.
 */
export const ModelConfigCodec = t.exact(
  t.type({
    inputs: PositiveInt,
    cells: PositiveInt,
    projection: withDefault(NonNegativeInt, 0 as t.TypeOf<typeof NonNegativeInt>),
    layers: PositiveInt,
    outputs: PositiveInt,
    cellClip: withDefault(PositiveFinite, 50 as t.TypeOf<typeof PositiveFinite>),
    peepholes: withDefault(t.boolean, true),
  }),
);

export type ModelConfig = LstmpSpec;

/** Decodes a configuration, or says in words which field is wrong. */
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
  );
}
