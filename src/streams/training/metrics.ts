import { appendText } from '../io/files.js';
import type { MetricsLine } from '../../model/formats/metrics-line.js';
import { frameAccuracy } from '../pipeline/score.js';
import type { TrainEvent } from './training-events.js';

/**
 * A training event as its metrics.jsonl line (the codec `decodeMetricsLine`
 * reads): one per evaluation (train and dev accuracy and loss per frame
 * against frames and wall time, as the paper's Figure 3), per progress report
 * and per utterance left out; `done` has no line of its own.
 */
export function metricsLine(event: TrainEvent): MetricsLine | null {
  const perFrame = (loss: number, frames: number) => (frames > 0 ? loss / frames : null);
  switch (event.type) {
    case 'progress':
      return {
        type: 'progress',
        framesSeen: event.framesSeen,
        seconds: event.elapsed,
        epoch: event.epoch,
        learningRate: event.learningRate,
        framesPerSecond: event.framesPerSecond,
        trainLoss: perFrame(event.recent.loss, event.recent.frames),
        trainFrameAccuracy: frameAccuracy(event.recent),
      };
    case 'evaluation':
      return {
        type: 'evaluation',
        framesSeen: event.framesSeen,
        seconds: event.elapsed,
        epoch: event.epoch,
        learningRate: event.learningRate,
        trainLoss: perFrame(event.train.loss, event.train.frames),
        trainFrameAccuracy: frameAccuracy(event.train),
        devLoss: perFrame(event.dev.loss, event.dev.frames),
        devFrameAccuracy: frameAccuracy(event.dev),
        devFrames: event.dev.frames,
      };
    case 'skipped':
      return { type: 'skipped', id: event.id, reason: event.reason };
    case 'done':
      return null;
  }
}

/** Appends a training event's {@link metricsLine} to a JSONL metrics log, whole. */
export function appendMetrics(path: string, event: TrainEvent): void {
  const line = metricsLine(event);
  if (line) appendText(path, `${JSON.stringify(line)}\n`);
}
