import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import { describeErrors, numberWhere, withDefault } from '../codec.js';

const Positive = numberWhere('a finite number > 0', (n) => Number.isFinite(n) && n > 0);
const Fraction = numberWhere('a number in (0, 1]', (n) => n > 0 && n <= 1);
const Clip = numberWhere('a number > 0 (Infinity: no clipping)', (n) => n > 0);
const Momentum = numberWhere('a number in [0, 1)', (n) => n >= 0 && n < 1);

/**
 * How parameters are updated. The gradient is summed over frames (as in
 * Kaldi and the paper), so rates are per frame: the paper used 5e-6 to 1e-5
 * for its 13 M-parameter network.
 */
export const ScheduleCodec = t.intersection([
  t.type({
    /** the rate at the start of training */
    learningRate: Positive,
    /** the rate is multiplied by this every `decayFrames` frames seen (smoothly) */
    decay: withDefault(Fraction, 1),
    decayFrames: withDefault(Positive, 1_000_000),
    /** biases and peepholes learn at learningRate × this (they explode first) */
    biasRateFactor: withDefault(Fraction, 1),
    /** each gradient element is clipped to ±this before the update */
    gradientClip: withDefault(Clip, Infinity),
    /** the fraction of the previous step kept in the next (0: plain SGD, as in the paper) */
    momentum: withDefault(Momentum, 0),
  }),
  t.partial({
    /**
     * Anneal over the run's plan instead: the rate falls exponentially from
     * `learningRate` to `learningRate × anneal` as the frames seen reach the
     * frames planned (a frame budget, or what a time budget is expected to
     * hold), and stays there. Without a plan, `decay` applies.
     */
    anneal: Fraction,
  }),
]);

export type Schedule = t.TypeOf<typeof ScheduleCodec>;

export function decodeSchedule(input: unknown): E.Either<string, Schedule> {
  return pipe(
    ScheduleCodec.decode(input),
    E.mapLeft((errors) => `invalid schedule: ${describeErrors(errors)}`),
  );
}

/**
 * The learning rate after `framesSeen` of the `planned` frames (0: no plan):
 * annealed over the plan when the schedule anneals and there is one, else
 * decayed exponentially every `decayFrames`.
 */
export function learningRateAt(schedule: Schedule, framesSeen: number, planned = 0): number {
  if (schedule.anneal !== undefined && planned > 0) return schedule.learningRate * Math.pow(schedule.anneal, Math.min(1, framesSeen / planned));
  return schedule.learningRate * Math.pow(schedule.decay, framesSeen / schedule.decayFrames);
}
