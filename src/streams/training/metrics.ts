import { appendFileSync } from 'node:fs';
import { frameAccuracy } from '../pipeline/score.js';
import type { TrainEvent } from './train.js';

/**
 * Appends a training event to a JSONL metrics log: one line per evaluation
 * (train and dev accuracy and loss per frame against frames and wall time, as
 * the paper's Figure 3) and per progress report. Lines are appended whole.
 */
export function appendMetrics(path: string, event: TrainEvent): void {
  const perFrame = (loss: number, frames: number) => (frames > 0 ? loss / frames : null);
  let line: Record<string, unknown> | null = null;
  switch (event.type) {
    case 'progress':
      line = {
        type: 'progress',
        framesSeen: event.framesSeen,
        seconds: event.elapsed,
        epoch: event.epoch,
        learningRate: event.learningRate,
        framesPerSecond: event.framesPerSecond,
        trainLoss: perFrame(event.recent.loss, event.recent.frames),
        trainFrameAccuracy: frameAccuracy(event.recent),
      };
      break;
    case 'evaluation':
      line = {
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
      break;
    case 'skipped':
      line = { type: 'skipped', id: event.id, reason: event.reason };
      break;
    case 'done':
      break;
  }
  if (line) appendFileSync(path, `${JSON.stringify(line)}\n`);
}
