import * as E from 'fp-ts/lib/Either.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initParameters } from '../../../src/model/network/init.js';
import { decodeMetricsLine } from '../../../src/model/formats/metrics-line.js';
import { appendMetrics } from '../../../src/streams/training/metrics.js';

const config = { inputs: 2, cells: 2, projection: 0, layers: 1, outputs: 2, cellClip: 50, peepholes: true };
const position = { framesSeen: 1000, updates: 10, epoch: 1, elapsed: 2.5, learningRate: 0.01 };
const score = { loss: 12, frames: 10, correct: 7 };

describe('decodeMetricsLine', () => {
  it('reads back every line appendMetrics writes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lstmp-metrics-'));
    try {
      const path = join(dir, 'metrics.jsonl');
      appendMetrics(path, { type: 'progress', framesPerSecond: 400, recent: score, ...position });
      appendMetrics(path, { type: 'evaluation', best: true, dev: score, train: { loss: 0, frames: 0, correct: 0 }, checkpoint: { config, parameters: initParameters(config, 1) }, ...position });
      appendMetrics(path, { type: 'skipped', id: 'u1', reason: 'u1.wav: no such file', total: 1 });
      const lines = readFileSync(path, 'utf8').trim().split('\n').map(decodeMetricsLine);
      expect(lines).toEqual([
        E.right({ type: 'progress', framesSeen: 1000, seconds: 2.5, epoch: 1, learningRate: 0.01, framesPerSecond: 400, trainLoss: 1.2, trainFrameAccuracy: 0.7 }),
        E.right({ type: 'evaluation', framesSeen: 1000, seconds: 2.5, epoch: 1, learningRate: 0.01, trainLoss: null, trainFrameAccuracy: 0, devLoss: 1.2, devFrameAccuracy: 0.7, devFrames: 10 }),
        E.right({ type: 'skipped', id: 'u1', reason: 'u1.wav: no such file' }),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says what is wrong with a bad line', () => {
    expect(decodeMetricsLine('{"type":"progress"')).toEqual(E.left('not JSON'));
    expect(decodeMetricsLine('[1]')).toEqual(E.left('not a JSON object'));
    expect(decodeMetricsLine('{"framesSeen":1}')).toEqual(E.left('no "type"'));
    const missing = decodeMetricsLine('{"type":"evaluation","framesSeen":1}');
    expect(E.isLeft(missing) && missing.left).toMatch(/^seconds must be number \(got nothing\)/);
  });

  it('skips a line of a type it does not know (a newer lstmp may add some)', () => {
    expect(decodeMetricsLine('{"type":"decode","wer":0.1}')).toEqual(E.right(null));
  });
});
