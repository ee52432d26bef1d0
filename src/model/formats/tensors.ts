import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { Packr } from 'msgpackr';
import { fromLittleEndian, littleEndianBytes } from '../../ops/codecs/little-endian.js';
import type { Layout, TensorSlot } from '../network/layout.js';
import { NonNegativeInt } from '../codec.js';

/**
 * Named float32 tensors as MessagePack, shared by checkpoints and gradient
 * files: `{name: {shape: [...], data: <bin>}}`, data the row-major
 * little-endian float32 bytes, so any MessagePack reader can load them
 * (Python: `np.frombuffer(t[b'data'], '<f4').reshape(t[b'shape'])`).
 */

/**
 * Plain MessagePack: maps (no record extension), typed arrays as bin (no
 * msgpackr extension types), 64-bit integers as numbers (Python writes them).
 */
export const plainMsgpack = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true, int64AsType: 'number' });

/** A MessagePack bin (msgpackr gives a Buffer, which is a Uint8Array). */
export const Bin = new t.Type<Uint8Array, Uint8Array, unknown>(
  'bin',
  (u): u is Uint8Array => u instanceof Uint8Array,
  (u, c) => (u instanceof Uint8Array ? t.success(u) : t.failure(u, c, undefined)),
  t.identity,
);

/** One encoded tensor. */
export const TensorRecord = t.type({ shape: t.array(NonNegativeInt), data: Bin });
export type TensorRecord = t.TypeOf<typeof TensorRecord>;

/** The record of one float32 array (its bytes are a view, not a copy, on little-endian hosts). */
export function encodeTensor(shape: readonly number[], data: Float32Array): TensorRecord {
  return { shape: [...shape] as TensorRecord['shape'], data: littleEndianBytes(data) };
}

/**
 * A record's values as a fresh Float32Array, checked against the shape the
 * caller expects and for NaN/Inf; `name` only words the refusal.
 */
export function decodeTensor(name: string, record: unknown, shape: readonly number[]): E.Either<string, Float32Array> {
  const decoded = TensorRecord.decode(record);
  // Not describeErrors: it would quote the offending value, which may be megabytes.
  if (E.isLeft(decoded)) return E.left(`tensor ${name} is malformed (want {shape: [whole numbers], data: bin})`);
  const problem = shapeProblem(name, decoded.right, shape);
  if (problem) return E.left(problem);
  const values = fromLittleEndian(Float32Array, decoded.right.data, 0, decoded.right.data.length / 4);
  return allFinite(values) ? E.right(values) : E.left(`tensor ${name} holds NaN or Inf values`);
}

/** The `tensors` map of every tensor of `layout`, each a view into `buffer`. */
export function encodeTensors(layout: Layout, buffer: Float32Array): Record<string, TensorRecord> {
  const tensors: Record<string, TensorRecord> = {};
  for (const slot of layout.tensors) tensors[slot.name] = encodeTensor(slot.shape, buffer.subarray(slot.offset, slot.offset + slot.size));
  return tensors;
}

/**
 * A `tensors` map read back into one flat buffer laid out by `layout`. Every
 * tensor must be present, with exactly its shape and byte length, and finite;
 * missing, unexpected and mis-shaped tensors are all named in one message.
 */
export function decodeTensors(layout: Layout, tensors: unknown): E.Either<string, Float32Array> {
  if (!isMap(tensors)) return E.left('tensors is not a map');
  const present = tensors;
  const expected = new Set(layout.tensors.map((slot) => slot.name));
  const missing = layout.tensors.filter((slot) => !(slot.name in present)).map((slot) => slot.name);
  const unexpected = Object.keys(present).filter((name) => !expected.has(name));
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`missing tensor${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  if (unexpected.length > 0) problems.push(`unexpected tensor${unexpected.length > 1 ? 's' : ''} ${unexpected.join(', ')}`);

  // Every tensor is checked against the bytes the file holds before the buffer is allocated: a
  // config that claims a network far larger than its tensors is refused, not allocated.
  const decoded: [TensorSlot, Float32Array][] = [];
  for (const slot of layout.tensors) {
    if (!(slot.name in present)) continue;
    const values = decodeTensor(slot.name, present[slot.name], slot.shape);
    if (E.isLeft(values)) problems.push(values.left);
    else decoded.push([slot, values.right]);
  }
  if (problems.length > 0) return E.left(problems.join('; '));
  const buffer = new Float32Array(layout.size);
  for (const [slot, values] of decoded) buffer.set(values, slot.offset);
  return E.right(buffer);
}

/** A decoded MessagePack map (not an array, bin, or a msgpackr extension object such as a Date). */
export function isMap(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Unpacks one whole MessagePack value, or says why the bytes are not one:
 * truncated, followed by trailing bytes, or not MessagePack at all.
 */
export function unpackWhole(bytes: Uint8Array): E.Either<string, unknown> {
  try {
    return E.right(plainMsgpack.unpack(bytes));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if ((error as { incomplete?: boolean }).incomplete || /unexpected end/i.test(message)) return E.left('truncated (unexpected end of data)');
    if (/end of buffer not reached/i.test(message)) return E.left('trailing bytes after the data');
    return E.left(`corrupt (not valid MessagePack: ${message.split('\n')[0].slice(0, 80)})`);
  }
}

function shapeProblem(name: string, record: TensorRecord, shape: readonly number[]): string | null {
  const same = record.shape.length === shape.length && record.shape.every((d, i) => d === shape[i]);
  if (!same) return `tensor ${name} has shape [${record.shape.join(', ')}], expected [${shape.join(', ')}]`;
  const bytes = 4 * shape.reduce((a, b) => a * b, 1);
  if (record.data.length !== bytes) return `tensor ${name} holds ${record.data.length} bytes, shape [${shape.join(', ')}] needs ${bytes}`;
  return null;
}

function allFinite(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}
