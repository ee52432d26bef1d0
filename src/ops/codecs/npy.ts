import * as E from 'fp-ts/lib/Either.js';
import { fromLittleEndian, littleEndianBytes } from './little-endian.js';

/**
 * The NumPy .npy format (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html),
 * for the two dtypes features, targets and log-posteriors need: little-endian
 * float32 ('<f4') and int32 ('<i4'), C order.
 */
export interface NpyArray {
  dtype: 'float32' | 'int32';
  shape: number[];
  data: Float32Array | Int32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const DESCR = { float32: '<f4', int32: '<i4' } as const;
/** numpy aligns the data to 64 bytes so it can be memory-mapped. */
const ALIGN = 64;

/**
 * The .npy bytes of `array`, format 1.0 (2.0 only if the header would not fit),
 * header written exactly as numpy writes it.
 *
 * @example encodeNpy({ dtype: 'float32', shape: [2, 3], data: new Float32Array(6) })
 */
export function encodeNpy(array: NpyArray): Uint8Array {
  const { dtype, shape, data } = array;
  const size = shape.reduce((a, b) => a * b, 1);
  if (data.length !== size) throw new RangeError(`shape (${shape.join(', ')}) holds ${size} values, data has ${data.length}`);
  if ((dtype === 'float32') !== data instanceof Float32Array) throw new TypeError(`dtype ${dtype} does not match the data array`);

  const dict = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${pythonTuple(shape)}, }`;
  const major = dict.length + 1 + 10 <= 0xffff ? 1 : 2;
  const prefix = major === 1 ? 10 : 12;
  const headerLength = Math.ceil((prefix + dict.length + 1) / ALIGN) * ALIGN - prefix;
  const header = dict.padEnd(headerLength - 1, ' ') + '\n';

  const out = new Uint8Array(prefix + headerLength + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, headerLength, true);
  else view.setUint32(8, headerLength, true);
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  out.set(littleEndianBytes(data), prefix + headerLength);
  return out;
}

/**
 * Reads .npy bytes (format 1.0, 2.0 or 3.0) holding '<f4' or '<i4' in C order,
 * or says in a short phrase what is wrong. The data is copied into a fresh
 * aligned typed array, so `bytes` may be reused.
 *
 * @example decodeNpy(readBytes('x.npy')) // Right({ dtype: 'float32', shape: [T, 40], data })
 */
export function decodeNpy(bytes: Uint8Array): E.Either<string, NpyArray> {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) return E.left('not a .npy file (bad magic)');
  const major = bytes[6];
  const minor = bytes[7];
  if (major < 1 || major > 3 || minor !== 0) return E.left(`unsupported .npy version ${major}.${minor}`);
  const prefix = major === 1 ? 10 : 12;
  if (bytes.length < prefix) return E.left('truncated header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = prefix + headerLength;
  if (dataStart > bytes.length) return E.left('truncated header');

  const headerBytes = bytes.subarray(prefix, dataStart);
  let text: string;
  try {
    text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(headerBytes);
  } catch {
    return E.left('malformed header (not text)');
  }
  const header = parseHeader(text);
  if (E.isLeft(header)) return header;
  const { descr, fortranOrder, shape } = header.right;

  const dtype = descr === DESCR.float32 ? 'float32' : descr === DESCR.int32 ? 'int32' : null;
  if (dtype === null) {
    if (descr === '>f4' || descr === '>i4') return E.left(`big-endian data ('${descr}') is not supported`);
    return E.left(`unsupported dtype '${descr}' (only '<f4' float32 and '<i4' int32)`);
  }
  if (fortranOrder) return E.left('Fortran order is not supported (save with C order)');

  const size = shape.reduce((a, b) => a * b, 1);
  const available = bytes.length - dataStart;
  if (4 * size > available) return E.left(`truncated data (shape ${pythonTuple(shape)} needs ${4 * size} bytes, found ${available})`);
  if (4 * size < available) return E.left(`size mismatch (shape ${pythonTuple(shape)} needs ${4 * size} bytes, found ${available})`);
  const data = dtype === 'float32' ? fromLittleEndian(Float32Array, bytes, dataStart, size) : fromLittleEndian(Int32Array, bytes, dataStart, size);
  return E.right({ dtype, shape, data });
}

/** `()`, `(3,)`, `(3, 4)`: a shape as Python writes a tuple, for headers and messages. */
export function pythonTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

interface Header {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

type Value = string | boolean | number[];

/**
 * The header dict, e.g. `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`:
 * a Python literal with exactly these three keys, strings, booleans and a
 * tuple of whole numbers, followed only by padding.
 */
function parseHeader(text: string): E.Either<string, Header> {
  let at = 0;
  const bad = (what: string): E.Either<string, never> => E.left(`malformed header (${what})`);
  const skipSpace = (): void => {
    while (at < text.length && (text[at] === ' ' || text[at] === '\t' || text[at] === '\n' || text[at] === '\r')) at++;
  };
  const parseString = (): string | null => {
    const quote = text[at];
    if (quote !== "'" && quote !== '"') return null;
    const end = text.indexOf(quote, at + 1);
    if (end < 0) return null;
    const s = text.slice(at + 1, end);
    if (s.includes('\\')) return null;
    at = end + 1;
    return s;
  };
  const parseTuple = (): number[] | null => {
    at++; // '('
    const dims: number[] = [];
    let trailingComma = false;
    for (;;) {
      skipSpace();
      if (text[at] === ')') {
        at++;
        // `(3)` is not a tuple in Python: a lone element needs its comma.
        return dims.length === 1 && !trailingComma ? null : dims;
      }
      const digits = /^\d{1,16}/.exec(text.slice(at, at + 17));
      if (!digits || !Number.isSafeInteger(Number(digits[0]))) return null;
      dims.push(Number(digits[0]));
      at += digits[0].length;
      skipSpace();
      trailingComma = text[at] === ',';
      if (trailingComma) at++;
      else if (text[at] !== ')') return null;
    }
  };
  const parseValue = (): Value | null => {
    for (const [word, value] of [['True', true], ['False', false]] as const) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return value;
      }
    }
    if (text[at] === '(') return parseTuple();
    return parseString();
  };

  const fields = new Map<string, Value>();
  skipSpace();
  if (text[at] !== '{') return bad('no dict');
  at++;
  for (;;) {
    skipSpace();
    if (text[at] === '}') break;
    const key = parseString();
    if (key === null) return bad('expected a quoted key');
    skipSpace();
    if (text[at] !== ':') return bad(`expected ':' after '${key}'`);
    at++;
    skipSpace();
    if (key === 'descr' && text[at] === '[') return E.left('unsupported dtype (structured arrays are not supported)');
    const value = parseValue();
    if (value === null) return bad(`bad value for ${quoted(key)}`);
    if (fields.has(key)) return bad(`duplicate key ${quoted(key)}`);
    fields.set(key, value);
    skipSpace();
    if (text[at] === ',') at++;
    else if (text[at] !== '}') return bad("expected ',' or '}'");
  }
  at++;
  skipSpace();
  if (at !== text.length) return bad('text after the dict');

  for (const key of fields.keys()) {
    if (key !== 'descr' && key !== 'fortran_order' && key !== 'shape') return bad(`unexpected key ${quoted(key)}`);
  }
  const descr = fields.get('descr');
  const fortranOrder = fields.get('fortran_order');
  const shape = fields.get('shape');
  if (typeof descr !== 'string') return bad(descr === undefined ? "no 'descr'" : "'descr' is not a string");
  if (typeof fortranOrder !== 'boolean') return bad(fortranOrder === undefined ? "no 'fortran_order'" : "'fortran_order' is not True or False");
  if (!Array.isArray(shape)) return bad(shape === undefined ? "no 'shape'" : "'shape' is not a tuple");
  return E.right({ descr, fortranOrder, shape });
}

/** A key from the file as the message shows it: quoted, control characters escaped, so the message stays one line. */
function quoted(key: string): string {
  return JSON.stringify(key.slice(0, 40)).replace(/^"|"$/g, "'");
}
