import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keptBeforeDivergence } from '../../src/cli/demo.js';
import { DivergedError, InputError } from '../../src/errors.js';
import { encodeCheckpoint } from '../../src/model/formats/checkpoint.js';
import type { ModelConfig } from '../../src/model/network/config.js';
import { initParameters } from '../../src/model/network/init.js';

const root = mkdtempSync(join(tmpdir(), 'lstmp-demo-divergence-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const config: ModelConfig = { inputs: 40, cells: 8, projection: 4, layers: 1, outputs: 6, cellClip: 50, peepholes: true };
const evaluation = (framesSeen: number, seconds: number, devFrameAccuracy: number) =>
  JSON.stringify({ type: 'evaluation', framesSeen, seconds, epoch: 0, learningRate: 0.001, trainLoss: 1, trainFrameAccuracy: 0.5, devLoss: 1, devFrameAccuracy, devFrames: 100 });

/** A run directory as training leaves it: the best model on dev (of frame `kept`) and the evaluations. */
function run(name: string, kept: number | null): string {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'metrics.jsonl'), [evaluation(200, 10, 0.4), evaluation(400, 20, 0.7), evaluation(600, 30, 0.6)].join('\n') + '\n');
  if (kept !== null) writeFileSync(join(dir, 'model.msgpack'), encodeCheckpoint({ config, parameters: initParameters(config, 1, 0.1), training: { framesSeen: kept, updates: 3, epoch: 0 } }));
  return dir;
}

describe("the main job when training diverges", () => {
  it('goes on with the best model on dev, its dev figure, and says so in one line', () => {
    const said: string[] = [];
    const kept = keptBeforeDivergence(new DivergedError('training diverged: the gradient is not finite (the loss was 260)'), run('kept', 400), (line) => said.push(line));
    expect(kept).toEqual({ devFrameAccuracy: 0.7, frames: 400, trainSeconds: 30, config });
    expect(said).toEqual(['training diverged: the gradient is not finite (the loss was 260); the job goes on with the best model on dev, of frame 400']);
  });

  it('ends the job on a divergence before any model, and on any other error', () => {
    const divergence = new DivergedError('training diverged: the loss is not finite (NaN)');
    expect(() => keptBeforeDivergence(divergence, run('none', null), () => {})).toThrow(divergence);
    const other = new InputError('corpus: no such directory');
    expect(() => keptBeforeDivergence(other, run('other', 400), () => {})).toThrow(other);
  });
});
