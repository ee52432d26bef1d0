import type { Checkpoint } from '../model/formats/checkpoint.js';
import { keepRun } from '../streams/training/keep-run.js';
import { frameAccuracy } from '../streams/pipeline/score.js';
import type { TrainEvent } from '../streams/training/train.js';
import type { Progress, ProgressFields } from './progress.js';

/** The fields a training progress bar shows, in order. */
export const TRAINING_FIELDS = ['epoch', 'loss', 'acc', 'dev', 'lr', 'fps'] as const;

/** A progress event's fields for the bar; `dev` is the latest dev frame accuracy, as shown. */
export function trainingFields(event: Extract<TrainEvent, { type: 'progress' }>, dev: string): ProgressFields {
  return {
    epoch: event.epoch,
    loss: (event.recent.loss / Math.max(event.recent.frames, 1)).toFixed(3),
    acc: `${(100 * frameAccuracy(event.recent)).toFixed(1)}%`,
    dev,
    lr: event.learningRate.toExponential(2),
    fps: Math.round(event.framesPerSecond),
  };
}

/**
 * Follows a training run (local or a cluster's) on `bar` and keeps its run
 * directory ({@link keepRun}: metrics.jsonl, and model.msgpack with `extras`
 * at each evaluation). The bar counts frames, or what `measure` says (the
 * seconds of a time budget).
 */
export function followRun(
  bar: Progress,
  dir: string,
  extras: Partial<Checkpoint> | (() => Partial<Checkpoint>),
  measure: (event: Extract<TrainEvent, { type: 'progress' }>) => number = (event) => event.framesSeen,
): (event: TrainEvent) => void {
  const keep = keepRun(dir, extras);
  let dev = '';
  return (event) => {
    keep(event);
    switch (event.type) {
      case 'progress':
        bar.update(measure(event), trainingFields(event, dev));
        break;
      case 'skipped':
        bar.log(`skipped ${event.id}: ${event.reason}`);
        break;
      case 'evaluation':
        dev = `${(100 * frameAccuracy(event.dev)).toFixed(1)}%`;
        bar.log(`frames ${event.framesSeen}: dev frame accuracy ${dev}, loss ${(event.dev.loss / Math.max(event.dev.frames, 1)).toFixed(3)} (${event.elapsed.toFixed(0)} s)`);
        break;
      case 'done':
        break;
    }
  };
}
