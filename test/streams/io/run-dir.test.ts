import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { initParameters } from '../../../src/model/network/init.js';
import { saveCheckpoint } from '../../../src/streams/io/checkpoint-file.js';
import { readRun } from '../../../src/streams/io/run-dir.js';

const config = { inputs: 4, cells: 3, projection: 2, layers: 1, outputs: 5, cellClip: 50, peepholes: true };
const progress = { type: 'progress', framesSeen: 100, seconds: 1, epoch: 0, learningRate: 0.01, framesPerSecond: 100, trainLoss: 1.5, trainFrameAccuracy: 0.3 };
const decodeLine = { id: 'u1', reference: ['one'], hypothesis: ['two'], edits: [{ op: 'sub', ref: 'one', hyp: 'two' }] };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lstmp-run-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, lines: unknown[]) => writeFileSync(join(dir, name), lines.map((l) => `${typeof l === 'string' ? l : JSON.stringify(l)}\n`).join(''));

describe('readRun', () => {
  it('reads metrics, the checkpoint without its weights, the summary and the decoded utterances', () => {
    write('metrics.jsonl', [progress, '', { type: 'something-newer' }, { type: 'skipped', id: 'u9', reason: 'gone' }]);
    saveCheckpoint(join(dir, 'model.msgpack'), { config, parameters: initParameters(config, 1), delay: 5 });
    writeFileSync(join(dir, 'summary.json'), JSON.stringify({ devFrameAccuracy: 0.5, testWer: null }));
    write('decode.jsonl', [decodeLine]);
    const run = readRun(dir);
    expect(run.metrics).toEqual([progress, { type: 'skipped', id: 'u9', reason: 'gone' }]);
    expect(run.config).toEqual(config);
    expect(run.checkpoint?.delay).toBe(5);
    expect(run.checkpoint).not.toHaveProperty('parameters');
    expect(run.summary).toEqual({ devFrameAccuracy: 0.5, testWer: null });
    expect(run.decode).toEqual([decodeLine]);
  });

  it('takes the config from summary.json when there is no model, and does without what is optional', () => {
    write('metrics.jsonl', []);
    expect(readRun(dir)).toEqual({ dir, metrics: [], config: null, checkpoint: null, summary: null, decode: null });
    writeFileSync(join(dir, 'summary.json'), JSON.stringify({ config }));
    expect(readRun(dir).config).toEqual(config);
  });

  it('names the directory, file and line of what is wrong', () => {
    expect(() => readRun(join(dir, 'missing'))).toThrow(new InputError(`${join(dir, 'missing')}: no such directory`));
    expect(() => readRun(dir)).toThrow(new InputError(`${join(dir, 'metrics.jsonl')}: no such file`));
    write('metrics.jsonl', [progress, '{"type": "progress", ']);
    expect(() => readRun(dir)).toThrow(new InputError(`${join(dir, 'metrics.jsonl')} line 2: not JSON`));
    write('metrics.jsonl', [progress]);
    write('decode.jsonl', [decodeLine, { ...decodeLine, edits: [{ op: 'ins' }] }]);
    expect(() => readRun(dir)).toThrow(new InputError(`${join(dir, 'decode.jsonl')} line 2: edits.0: op "ins" needs hyp`));
  });
});
