import { orFail } from '../../errors.js';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../../model/formats/checkpoint.js';
import { readBytes, writeAtomic } from './files.js';

/** Loads a checkpoint, or fails with `<path>: <what is wrong>`. */
export function loadCheckpoint(path: string): Checkpoint {
  return orFail(decodeCheckpoint(readBytes(path)), path);
}

/** Saves a checkpoint atomically (a crash mid-save leaves the old file). */
export function saveCheckpoint(path: string, ck: Checkpoint): void {
  writeAtomic(path, encodeCheckpoint(ck));
}
