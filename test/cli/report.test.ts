import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, refusalNaming, runCli } from '../support/cli.js';

let dir: string;
const progress = { type: 'progress', framesSeen: 100, seconds: 1, epoch: 0, learningRate: 0.01, framesPerSecond: 100, trainLoss: 1.5, trainFrameAccuracy: 0.3 };
const evaluation = { ...progress, type: 'evaluation', devLoss: 1.4, devFrameAccuracy: 0.35, devFrames: 90 };

beforeAll(() => {
  buildCli();
  dir = mkdtempSync(join(tmpdir(), 'lstmp-report-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A run directory holding just these metrics lines. */
function runDir(name: string, metrics: string): string {
  const run = join(dir, name);
  mkdirSync(run, { recursive: true });
  writeFileSync(join(run, 'metrics.jsonl'), metrics);
  return run;
}

describe('lstmp report', () => {
  it('writes one self-contained page, by default into the run directory', async () => {
    const run = runDir('good', `${JSON.stringify(progress)}\n${JSON.stringify(evaluation)}\n`);
    const out = join(dir, 'report.html');
    const explicit = await runCli(['report', run, '--out', out]);
    expect(explicit).toEqual({ status: 0, stdout: `${out}\n`, stderr: '' });
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('Frame accuracy against wall time');
    expect(html).toContain('35.00%');
    expect(html).not.toMatch(/<script|https?:/);
    const byDefault = await runCli(['report', run]);
    expect(byDefault).toEqual({ status: 0, stdout: `${join(run, 'report.html')}\n`, stderr: '' });
    expect(readdirSync(run).sort()).toEqual(['metrics.jsonl', 'report.html']); // no temporary file left
  });

  it('refuses a missing run directory or a malformed metrics line in one line, naming it', async () => {
    const missing = join(dir, 'nowhere');
    expect(refusalNaming(await runCli(['report', missing]), missing)).toBe('no such directory');
    const run = runDir('bad', `${JSON.stringify(progress)}\n{"type":"progress","framesSeen":"many"}\n`);
    expect(refusalNaming(await runCli(['report', run]), `${join(run, 'metrics.jsonl')} line 2`)).toMatch(/^framesSeen must be number \(got "many"\)/);
    expect(readdirSync(run)).toEqual(['metrics.jsonl']);
  });
});
