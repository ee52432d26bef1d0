import { orFail } from '../../errors.js';
import { decodeNpy, encodeNpy, type NpyArray } from '../../ops/codecs/npy.js';
import { readBytes, writeAtomic } from './files.js';

/** Reads a .npy file, or fails with `<path>: <what is wrong>`. */
export function readNpy(path: string): NpyArray {
  return orFail(decodeNpy(readBytes(path)), path);
}

/** Writes a .npy file atomically. */
export function writeNpy(path: string, array: NpyArray): void {
  writeAtomic(path, encodeNpy(array));
}
