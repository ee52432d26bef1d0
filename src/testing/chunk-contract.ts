import type { Chunk } from '../streams/pipeline/chunk.js';
import { NO_TARGET, type LabelledUtterance } from '../streams/pipeline/utterance.js';

/**
 * Throws unless `chunks` are what truncated BPTT needs of `utterances` (what
 * lstmp's `chunk` stage makes, and a chunking stage of your own must make):
 *
 * - every chunk is [steps, streams] of the utterances' feature dimension
 *   (the sizes in `shape` when given, else those of the first chunk);
 * - every real frame is in exactly once, in order within its stream: a
 *   stream works through one utterance at a time, continuing it in the next
 *   chunk until its last frame, with that frame's features and target;
 * - the mask is 1 on a frame with a target and 0 on one without, and on
 *   padding, whose features are 0 and target is NO_TARGET; padding only
 *   follows an utterance's last frame;
 * - the reset flag is 1 exactly where a stream starts an utterance or holds
 *   none (`utterances[b]` null), and 0 where it continues one.
 *
 * Utterances without frames may be left out. The error names the chunk, the
 * stream and the step where the contract first breaks.
 *
 * @example
 * const chunks = await lastValueFrom(from(utterances).pipe(chunk({ streams: 4, steps: 20 }), toArray()));
 * checkChunkContract(chunks, utterances, { streams: 4, steps: 20 });
 */
export function checkChunkContract(chunks: readonly Chunk[], utterances: readonly LabelledUtterance[], shape?: { readonly streams: number; readonly steps: number }): void {
  const byId = new Map<string, LabelledUtterance>();
  for (const u of utterances) {
    if (byId.has(u.id)) throw new Error(`checkChunkContract: two utterances are called ${u.id}`);
    byId.set(u.id, u);
  }
  /** frames of each utterance already seen */
  const position = new Map<string, number>();
  /** per stream, the utterance it held in the previous chunk */
  let held: readonly (string | null)[] = [];
  const { streams: B, steps: T } = shape ?? chunks[0] ?? { streams: 0, steps: 0 };
  const unfinished = (id: string) => (position.get(id) ?? 0) < (byId.get(id)?.frames ?? 0);
  const dim = utterances.find((u) => u.frames > 0)?.dim ?? chunks[0]?.dim;

  chunks.forEach((c, n) => {
    const fail = (what: string): never => {
      throw new Error(`chunk ${n}: ${what}`);
    };
    if (c.steps !== T || c.streams !== B || c.dim !== dim) fail(`${c.steps} steps × ${c.streams} streams of ${c.dim} features, want ${T} × ${B} of ${dim}`);
    const sizes = [c.features.length, c.targets.length, c.mask.length, c.reset.length, c.utterances.length];
    if (sizes.join() !== [T * B * c.dim, T * B, T * B, B, B].join()) fail(`features, targets, mask, reset and utterances hold ${sizes.join(', ')} values, want ${[T * B * c.dim, T * B, T * B, B, B].join(', ')}`);
    const ids = c.utterances.filter((id) => id !== null);
    if (new Set(ids).size !== ids.length) fail(`one utterance in two streams: ${c.utterances.join(', ')}`);

    for (let b = 0; b < B; b++) {
      const at = (t: number, what: string): never => fail(`stream ${b}, step ${t}: ${what}`);
      const id = c.utterances[b];
      const utterance = id === null ? null : (byId.get(id) ?? at(0, `holds ${id}, which is not one of the utterances`));
      const from = id === null ? 0 : (position.get(id) ?? 0);
      const before = held[b] ?? null;
      if (before !== null && before !== id && unfinished(before)) at(0, `${id === null ? 'holds nothing' : `starts ${id}`} before ${before} ended`);
      if (utterance !== null) {
        if (from >= utterance.frames && utterance.frames > 0) at(0, `holds ${id} again after its last frame`);
        if (from > 0 && before !== id) at(0, `${id} continues from frame ${from} here, but the stream held ${before ?? 'nothing'} in the chunk before`);
      }
      const reset = from === 0 ? 1 : 0;
      if (c.reset[b] !== reset) at(0, `reset ${c.reset[b]}, want ${reset} (${utterance === null ? 'no utterance' : from === 0 ? `${id} starts` : `${id} continues from frame ${from}`})`);

      const take = utterance === null ? 0 : Math.min(T, utterance.frames - from);
      for (let t = 0; t < T; t++) {
        const row = t * B + b;
        const features = c.features.subarray(row * c.dim, (row + 1) * c.dim);
        if (t < take) {
          const frame = from + t;
          const want = utterance!.features.subarray(frame * c.dim, (frame + 1) * c.dim);
          if (!features.every((v, d) => Object.is(v, want[d]))) at(t, `features [${features.join(', ')}], want frame ${frame} of ${id}: [${want.join(', ')}]`);
          const target = utterance!.targets[frame];
          if (c.targets[row] !== target) at(t, `target ${c.targets[row]}, want ${target} (frame ${frame} of ${id})`);
          const mask = target === NO_TARGET ? 0 : 1;
          if (c.mask[row] !== mask) at(t, `mask ${c.mask[row]}, want ${mask} (frame ${frame} of ${id}, ${target === NO_TARGET ? 'without a target' : `target ${target}`})`);
        } else {
          if (!features.every((v) => v === 0)) at(t, `padding with features [${features.join(', ')}], want zeros`);
          if (c.targets[row] !== NO_TARGET || c.mask[row] !== 0) at(t, `padding with target ${c.targets[row]} and mask ${c.mask[row]}, want ${NO_TARGET} and 0`);
        }
      }
      if (id !== null) position.set(id, from + take);
    }
    held = c.utterances;
  });

  for (const u of utterances) {
    const seen = position.get(u.id) ?? 0;
    if (seen !== u.frames) throw new Error(`after ${chunks.length} chunks: ${seen} of the ${u.frames} frames of ${u.id}`);
  }
}
