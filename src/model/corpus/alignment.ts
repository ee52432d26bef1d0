import * as E from 'fp-ts/lib/Either.js';
import type { FrameSpan } from '../../ops/dsp/speech-span.js';
import { STATES_PER_PHONE, stateId } from './states.js';

/** Where frames sit in the samples: frame i covers [shift·i, shift·i + length). */
export interface FrameGeometry {
  readonly length: number;
  readonly shift: number;
}

/** 25 ms frames every 10 ms at 16 kHz, the features' framing. */
export const FRAMES_16K: FrameGeometry = { length: 400, shift: 160 };

/**
 * Which frames each segment gets: a frame belongs to the segment holding its
 * centre sample (shift·i + length/2). Segment k starts at sample `starts[k]`
 * (ascending; everything before starts[1] is segment 0) and gets frames
 * [b[k], b[k+1]) of the returned boundaries b (length starts.length + 1,
 * b[0] = 0, last = frames).
 *
 * @example segmentBoundaries([0, 1000], 10, FRAMES_16K) // [0, 6, 10]: frame 5's centre is 1000
 */
export function segmentBoundaries(starts: ArrayLike<number>, frames: number, geometry: FrameGeometry): Int32Array {
  const boundaries = new Int32Array(starts.length + 1);
  const centre = geometry.length / 2;
  for (let k = 1; k < starts.length; k++) {
    const first = Math.ceil((starts[k] - centre) / geometry.shift);
    boundaries[k] = Math.min(frames, Math.max(boundaries[k - 1], first));
  }
  boundaries[starts.length] = frames;
  return boundaries;
}

/**
 * Moves segment boundaries as little as possible (least total frames moved)
 * so that every segment lasts at least `minimum` frames: a phone must pass
 * through all its states. The ends stay put. Where even that is impossible
 * (fewer frames than minimum × segments) the largest feasible minimum is used.
 *
 * With c[k] = b[k] − minimum·k the constraint is c non-decreasing, so this
 * is an L1 isotonic regression, solved exactly by pooling adjacent
 * violators with block medians.
 *
 * @example withMinimumDuration(Int32Array.of(0, 5, 6, 20), 3) // [0, 4, 7, 20]
 */
export function withMinimumDuration(boundaries: Int32Array, minimum: number): Int32Array {
  const segments = boundaries.length - 1;
  const frames = boundaries[segments];
  const feasible = Math.min(minimum, segments > 0 ? Math.floor(frames / segments) : minimum);
  const top = frames - feasible * segments;
  // Clamping targets into [0, top] changes each |c − y| by a constant there, so the optimum is unchanged.
  const targets: number[] = [];
  for (let k = 1; k < segments; k++) targets.push(Math.min(top, Math.max(0, boundaries[k] - feasible * k)));
  const blocks: number[][] = [];
  for (const y of targets) {
    let block = [y];
    while (blocks.length > 0 && median(blocks[blocks.length - 1]) > median(block)) {
      block = mergeSorted(blocks.pop() as number[], block);
    }
    blocks.push(block);
  }
  const out = new Int32Array(boundaries.length);
  let k = 1;
  for (const block of blocks) {
    const value = median(block);
    for (let i = 0; i < block.length; i++, k++) out[k] = value + feasible * k;
  }
  out[segments] = frames;
  return out;
}

/** A minimiser of Σ|x − v| over a sorted list of non-negative integers: midway between its middle values, rounded down. */
function median(sorted: readonly number[]): number {
  return (sorted[(sorted.length - 1) >> 1] + sorted[sorted.length >> 1]) >> 1;
}

function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) out.push(j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i++] : b[j++]);
  return out;
}

/**
 * Per-frame HMM states: segment k is phone `phones[k]` (an index into the
 * state inventory) over frames [b[k], b[k+1]), split into its
 * {@link STATES_PER_PHONE} left-to-right states as evenly as possible (state
 * j gets frames ⌊j·n/3⌋ to ⌊(j+1)·n/3⌋, the last state the spare frame). A
 * segment shorter than 3 frames keeps only its last states, in order.
 *
 * @example frameStates([0, 2], Int32Array.of(0, 3, 7)) // [0, 1, 2, 6, 7, 8, 8]
 */
export function frameStates(phones: ArrayLike<number>, boundaries: Int32Array): Int32Array {
  const frames = boundaries[boundaries.length - 1];
  const out = new Int32Array(frames);
  for (let k = 0; k < phones.length; k++) {
    const start = boundaries[k];
    const n = boundaries[k + 1] - start;
    for (let j = 0; j < STATES_PER_PHONE; j++) {
      out.fill(stateId(phones[k], j), start + Math.floor((j * n) / STATES_PER_PHONE), start + Math.floor(((j + 1) * n) / STATES_PER_PHONE));
    }
  }
  return out;
}

/**
 * One line of alignments.txt: `utt-id s1 s2 …`, the text Kaldi's
 * `ali-to-pdf | copy-int-vector ark:- ark,t:-` writes.
 */
export function formatAlignmentLine(id: string, states: ArrayLike<number>): string {
  return [id, ...Array.from(states, String)].join(' ');
}

/**
 * Reads one line of alignments.txt: the utterance id and its state per frame.
 * States must be whole numbers below `stateCount` (when given).
 *
 * @example parseAlignmentLine('sd000001 0 0 1 2') // right({ id: 'sd000001', states: [0, 0, 1, 2] })
 */
export function parseAlignmentLine(line: string, stateCount = Infinity): E.Either<string, { id: string; states: Int32Array }> {
  const fields = line.trim().split(/\s+/);
  const id = fields[0];
  if (id === '') return E.left('empty line: expected "utt-id state state …"');
  const states = new Int32Array(fields.length - 1);
  for (let f = 1; f < fields.length; f++) {
    const state = Number(fields[f]);
    if (!/^\d+$/.test(fields[f]) || state >= stateCount) {
      const range = Number.isFinite(stateCount) ? `0 to ${stateCount - 1}` : 'a whole number ≥ 0';
      return E.left(`"${id}" frame ${f - 1}: expected a state ${range}, got "${fields[f]}"`);
    }
    states[f - 1] = state;
  }
  return E.right({ id, states });
}

/**
 * Reads a whole alignments.txt (blank lines skipped): utterance id → state per
 * frame. Ids must be unique; the first bad line is named.
 */
export function parseAlignments(text: string, stateCount = Infinity): E.Either<string, Map<string, Int32Array>> {
  const alignments = new Map<string, Int32Array>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const parsed = parseAlignmentLine(lines[i], stateCount);
    if (E.isLeft(parsed)) return E.left(`line ${i + 1}: ${parsed.left}`);
    if (alignments.has(parsed.right.id)) return E.left(`line ${i + 1}: the utterance "${parsed.right.id}" appears twice`);
    alignments.set(parsed.right.id, parsed.right.states);
  }
  return E.right(alignments);
}

/** How many frames two alignments of one utterance share, in state and in phone. */
export interface Agreement {
  readonly frames: number;
  readonly sameState: number;
  readonly samePhone: number;
}

export const NO_AGREEMENT: Agreement = { frames: 0, sameState: 0, samePhone: 0 };

/**
 * Frame by frame, how far alignment `a` agrees with `b` (states numbered as
 * a {@link StateInventory} numbers them, so phone = ⌊state / 3⌋); frames
 * past the shorter one count as disagreeing.
 *
 * @example alignmentAgreement([0, 0, 3, 4], [0, 1, 3, 3]) // { frames: 4, sameState: 2, samePhone: 4 }
 */
export function alignmentAgreement(a: ArrayLike<number>, b: ArrayLike<number>): Agreement {
  const frames = Math.max(a.length, b.length);
  let sameState = 0;
  let samePhone = 0;
  for (let t = 0; t < Math.min(a.length, b.length); t++) {
    if (a[t] === b[t]) sameState++;
    if (Math.floor(a[t] / STATES_PER_PHONE) === Math.floor(b[t] / STATES_PER_PHONE)) samePhone++;
  }
  return { frames, sameState, samePhone };
}

/** The sum of two agreements. */
export const addAgreements = (a: Agreement, b: Agreement): Agreement => ({ frames: a.frames + b.frames, sameState: a.sameState + b.sameState, samePhone: a.samePhone + b.samePhone });

/**
 * The frames of an alignment from its first state that is not silence's
 * (phone 0) to its last, or nothing when it is silence throughout.
 *
 * @example spokenFrames([0, 1, 2, 9, 0, 12, 2]) // { start: 3, end: 6 }
 */
export function spokenFrames(states: ArrayLike<number>): FrameSpan | undefined {
  const spoken = (t: number) => states[t] >= STATES_PER_PHONE;
  let start = 0;
  while (start < states.length && !spoken(start)) start++;
  if (start === states.length) return undefined;
  let end = states.length;
  while (!spoken(end - 1)) end--;
  return { start, end };
}
