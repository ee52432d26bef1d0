import type { Subscriber } from 'rxjs';
import type { Checkpoint } from '../../model/formats/checkpoint.js';
import { addScores, frameAccuracy, NO_SCORE, type Score } from '../pipeline/score.js';

/** Where training stands. */
export interface Position {
  readonly framesSeen: number;
  readonly updates: number;
  readonly epoch: number;
  /** seconds since training started */
  readonly elapsed: number;
  readonly learningRate: number;
}

/** What happens during training, as a stream: the CLI draws it, sinks log and save it. */
export type TrainEvent =
  | ({ readonly type: 'progress'; readonly framesPerSecond: number; readonly recent: Score } & Position)
  | { readonly type: 'skipped'; readonly id: string; readonly reason: string; readonly total: number }
  /** `best`: the best dev frame accuracy since training began or its targets last changed (a flat start's realignment) */
  | ({ readonly type: 'evaluation'; readonly dev: Score; readonly train: Score; readonly checkpoint: Checkpoint; readonly best: boolean } & Position)
  /** where training ended, with the best evaluation's model and dev score (the model a run keeps), and the frames it had seen */
  | ({
      readonly type: 'done';
      /** the kept model (the best on dev) and its score */
      readonly dev: Score;
      readonly checkpoint: Checkpoint;
      readonly bestFramesSeen: number;
      /** the model as training left it, and its score: what a cluster worker saves (the shards' model) */
      readonly final: { readonly checkpoint: Checkpoint; readonly dev: Score };
      readonly skipped: number;
    } & Position);

export interface TrainingEventOptions {
  /** frames between evaluations on dev, counted from `firstFrame` */
  readonly evalEvery: number;
  /** the frames seen when this run began (a resumed run's start) */
  readonly firstFrame: number;
  /** how often (ms) progress is reported */
  readonly reportEvery: number;
  /** where training stands now */
  readonly position: () => Position;
  /** the model as it is now, with its position: what an evaluation scores and a checkpoint keeps */
  readonly snapshot: () => Promise<Checkpoint>;
  /** the model's dev score */
  readonly evaluate: (checkpoint: Checkpoint) => Promise<Score>;
  /** told when an evaluation under way fails: the run must end with that error, not train on without a word */
  readonly failed: (error: unknown) => void;
}

/** The events of a training run, from what its trainers (threads, worker processes) report. */
export interface TrainingEvents {
  /** frames trained with this score: counted, and a progress event when one is due */
  trained(score: Score): void;
  skipped(id: string, reason: string): void;
  /** evaluates the model (after any evaluation under way) once another `evalEvery` frames have gone by */
  due(framesSeen: number): void;
  /** the targets changed (new alignments): dev scores from now on are not comparable with earlier ones, so the best starts afresh */
  retargeted(): void;
  /** after the trainers stopped: waits for evaluations under way, evaluates the final model unless the last evaluation already scored it, and emits `done` with the best */
  finish(): Promise<void>;
  /** what `finish` does before `done`, for a run that fails with a sound model (a cluster that lost a worker): its last checkpoint */
  finalEvaluation(): Promise<Checkpoint>;
}

/**
 * The bookkeeping every training run shares, whatever does the training
 * (Hogwild threads in this process, or worker processes pushing to a
 * parameter server): progress events at most every `reportEvery` ms with the
 * frames per second since the last, dev evaluations at intervals (each
 * stamped with the position of the weights it scored, not the position when
 * it finished), and the final evaluation and `done`, which carries the best
 * evaluated model by dev frame accuracy (not the last: a run keeps what
 * recognises best). `stopped()` true means
 * the subscriber is gone: evaluations still under way emit nothing.
 */
export function trainingEvents(subscriber: Subscriber<TrainEvent>, options: TrainingEventOptions, stopped: () => boolean = () => subscriber.closed): TrainingEvents {
  let recent = NO_SCORE;
  let sinceEvaluation = NO_SCORE;
  let skippedCount = 0;
  const first = options.position();
  let lastReport = { at: first.elapsed, frames: first.framesSeen };
  let nextEvaluation = options.firstFrame + options.evalEvery;
  let evaluating = Promise.resolve();
  let failure: { readonly error: unknown } | null = null;
  let last: { readonly checkpoint: Checkpoint; readonly dev: Score } | null = null;
  let best: { readonly checkpoint: Checkpoint; readonly dev: Score } | null = null;
  // An evaluation is the best when it scores at least as well as the best so far (later wins ties).
  const better = (dev: Score) => best === null || frameAccuracy(dev) >= frameAccuracy(best.dev);

  // The position of a checkpoint's weights, with the clock and rate as they are now.
  const at = (checkpoint: Checkpoint): Position => {
    const now = options.position();
    return { ...now, framesSeen: checkpoint.training?.framesSeen ?? now.framesSeen, updates: checkpoint.training?.updates ?? now.updates, epoch: checkpoint.training?.epoch ?? now.epoch };
  };
  const evaluation = async () => {
    const checkpoint = await options.snapshot();
    const dev = await options.evaluate(checkpoint);
    if (stopped()) return;
    const isBest = better(dev);
    if (isBest) best = { checkpoint, dev };
    subscriber.next({ type: 'evaluation', dev, train: sinceEvaluation, checkpoint, best: isBest, ...at(checkpoint) });
    sinceEvaluation = NO_SCORE;
    last = { checkpoint, dev };
  };

  return {
    trained(score) {
      recent = addScores(recent, score);
      sinceEvaluation = addScores(sinceEvaluation, score);
      const position = options.position();
      if (position.elapsed - lastReport.at < options.reportEvery / 1000) return;
      const framesPerSecond = (position.framesSeen - lastReport.frames) / Math.max(position.elapsed - lastReport.at, 1e-9);
      subscriber.next({ type: 'progress', framesPerSecond, recent, ...position });
      lastReport = { at: position.elapsed, frames: position.framesSeen };
      recent = NO_SCORE;
    },
    skipped(id, reason) {
      subscriber.next({ type: 'skipped', id, reason, total: ++skippedCount });
    },
    due(framesSeen) {
      if (framesSeen < nextEvaluation) return;
      nextEvaluation = framesSeen + options.evalEvery;
      evaluating = evaluating.then(evaluation).catch((error: unknown) => {
        failure ??= { error };
        options.failed(error);
      });
    },
    retargeted() {
      best = null;
    },
    async finish() {
      const checkpoint = await finalEvaluation();
      // retargeted since the last evaluation: the final model is the only one scored against the new targets
      const final = last as { checkpoint: Checkpoint; dev: Score } | null;
      const kept = best ?? final;
      if (kept && final) subscriber.next({ type: 'done', dev: kept.dev, checkpoint: kept.checkpoint, bestFramesSeen: at(kept.checkpoint).framesSeen, final, skipped: skippedCount, ...at(checkpoint) });
    },
    finalEvaluation,
  };

  async function finalEvaluation(): Promise<Checkpoint> {
    await evaluating;
    if (failure) throw failure.error;
    const checkpoint = await options.snapshot();
    const scored = last as { checkpoint: Checkpoint; dev: Score } | null;
    if (scored !== null && JSON.stringify(scored.checkpoint.training) === JSON.stringify(checkpoint.training)) return scored.checkpoint;
    const dev = await options.evaluate(checkpoint);
    const isBest = better(dev);
    if (isBest) best = { checkpoint, dev };
    if (!stopped()) subscriber.next({ type: 'evaluation', dev, train: sinceEvaluation, checkpoint, best: isBest, ...at(checkpoint) });
    last = { checkpoint, dev };
    return checkpoint;
  }
}
