import type { OperatorFunction } from 'rxjs';
import { operate } from './operate.js';
import { NO_TARGET, type LabelledUtterance } from './utterance.js';

/**
 * T steps of B parallel streams, step-major: frame (t, b) is row t·B + b.
 * The unit of truncated BPTT.
 */
export interface Chunk {
  readonly steps: number;
  readonly streams: number;
  readonly dim: number;
  /** [T, B, dim] */
  readonly features: Float32Array;
  /** [T, B]; −1 on padding and on frames without a target */
  readonly targets: Int32Array;
  /** [T, B]; 1 where a frame adds loss, 0 on padding and frames without a target */
  readonly mask: Float32Array;
  /** [B]; 1 where the stream starts an utterance (start from zero state) */
  readonly reset: Uint8Array;
  /** per stream, the utterance it holds in this chunk, or null once the data ran out */
  readonly utterances: readonly (string | null)[];
}

export interface ChunkOptions {
  /** B: utterances processed side by side (4 in the paper) */
  readonly streams: number;
  /** T: steps of truncated BPTT (20 in the paper) */
  readonly steps: number;
}

interface Cursor {
  readonly utterance: LabelledUtterance;
  position: number;
}

/**
 * Packs utterances into multi-stream chunks for truncated BPTT, as the
 * paper's threads do. Each stream works through one utterance at a time: it
 * continues that utterance in the next chunk (its state is carried), and when
 * the utterance ends its last piece is padded to T with mask 0 and the stream
 * starts the next utterance with its reset flag set. When the data runs out,
 * streams without data are masked entirely. No real frame is dropped; at most
 * B utterances are held at once.
 *
 * @example
 * utterances$.pipe(delayTargets(5), chunk({ streams: 4, steps: 20 }), bptt(model))
 */
export function chunk({ streams, steps }: ChunkOptions): OperatorFunction<LabelledUtterance, Chunk> {
  if (!Number.isInteger(streams) || streams < 1) throw new RangeError(`streams must be a whole number ≥ 1, got ${streams}`);
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`steps must be a whole number ≥ 1, got ${steps}`);
  return operate((subscriber) => {
    const cursors: (Cursor | null)[] = new Array(streams).fill(null);
    const waiting: LabelledUtterance[] = [];
    let dim = -1;

    const finished = (cursor: Cursor | null) => cursor === null || cursor.position >= cursor.utterance.frames;
    const needing = () => cursors.filter(finished).length;

    const emit = () => {
      const features = new Float32Array(steps * streams * dim);
      const targets = new Int32Array(steps * streams).fill(NO_TARGET);
      const mask = new Float32Array(steps * streams);
      const reset = new Uint8Array(streams);
      const held: (string | null)[] = [];
      for (let b = 0; b < streams; b++) {
        if (finished(cursors[b])) {
          const next = waiting.shift();
          cursors[b] = next ? { utterance: next, position: 0 } : null;
        }
        const cursor = cursors[b];
        if (cursor === null) {
          reset[b] = 1;
          held.push(null);
          continue;
        }
        const { utterance } = cursor;
        reset[b] = cursor.position === 0 ? 1 : 0;
        held.push(utterance.id);
        const take = Math.min(steps, utterance.frames - cursor.position);
        for (let t = 0; t < take; t++) {
          const frame = cursor.position + t;
          const row = t * streams + b;
          features.set(utterance.features.subarray(frame * dim, (frame + 1) * dim), row * dim);
          targets[row] = utterance.targets[frame];
          mask[row] = targets[row] >= 0 ? 1 : 0;
        }
        cursor.position += take;
      }
      subscriber.next({ steps, streams, dim, features, targets, mask, reset, utterances: held });
    };

    return {
      next: (utterance: LabelledUtterance) => {
        if (utterance.frames === 0) return;
        if (dim === -1) dim = utterance.dim;
        if (utterance.dim !== dim) throw new RangeError(`utterance ${utterance.id} has ${utterance.dim} features per frame, the others ${dim}`);
        waiting.push(utterance);
        // A chunk can go out whenever every stream has data for it.
        while (needing() <= waiting.length) emit();
      },
      complete: () => {
        while (waiting.length > 0 || cursors.some((cursor) => !finished(cursor))) emit();
        subscriber.complete();
      },
    };
  });
}
