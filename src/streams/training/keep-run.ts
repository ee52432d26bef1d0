import { join } from 'node:path';
import type { Checkpoint } from '../../model/formats/checkpoint.js';
import { saveCheckpoint } from '../io/checkpoint-file.js';
import { appendMetrics } from './metrics.js';
import type { TrainEvent } from './training-events.js';

/**
 * A sink that keeps a training run's directory as `lstmp train --out` does:
 * every event's line appended to metrics.jsonl, and the checkpoint of each
 * evaluation, with `extras` (what recognition needs: states, priors, the
 * decoding model), saved atomically as model.msgpack.
 *
 * @example
 * train(options).pipe(tap(keepRun('runs/mine'))).subscribe()
 */
export function keepRun(dir: string, extras: Partial<Checkpoint> = {}): (event: TrainEvent) => void {
  const metricsPath = join(dir, 'metrics.jsonl');
  const modelPath = join(dir, 'model.msgpack');
  return (event) => {
    appendMetrics(metricsPath, event);
    if (event.type === 'evaluation') saveCheckpoint(modelPath, { ...event.checkpoint, ...extras });
  };
}
