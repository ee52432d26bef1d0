import { join } from 'node:path';
import type { Checkpoint } from '../../model/formats/checkpoint.js';
import { saveCheckpoint } from '../io/checkpoint-file.js';
import { appendMetrics } from './metrics.js';
import type { TrainEvent } from './training-events.js';

/**
 * A sink that keeps a training run's directory as `lstmp train --out` does:
 * every event's line appended to metrics.jsonl; at each evaluation the
 * checkpoint, with `extras` (what recognition needs: states, priors, the
 * decoding model; a function when they change as training goes, as a flat
 * start's do), saved atomically as last.msgpack (where `--resume` picks up),
 * and as model.msgpack when it is the best so far on dev (what a run keeps
 * for recognition).
 *
 * @example
 * train(options).pipe(tap(keepRun('runs/mine'))).subscribe()
 */
export function keepRun(dir: string, extras: Partial<Checkpoint> | (() => Partial<Checkpoint>) = {}): (event: TrainEvent) => void {
  const metricsPath = join(dir, 'metrics.jsonl');
  return (event) => {
    appendMetrics(metricsPath, event);
    if (event.type !== 'evaluation') return;
    const checkpoint = { ...event.checkpoint, ...(typeof extras === 'function' ? extras() : extras) };
    saveCheckpoint(join(dir, 'last.msgpack'), checkpoint);
    if (event.best) saveCheckpoint(join(dir, 'model.msgpack'), checkpoint);
  };
}
