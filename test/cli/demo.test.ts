import * as E from 'fp-ts/lib/Either.js';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRecognitionLine } from '../../src/model/formats/recognition-line.js';
import { decodeRunSummary } from '../../src/model/formats/run-summary.js';
import { corpusEntries } from '../../src/streams/corpora/corpus.js';
import { loadCheckpoint } from '../../src/streams/io/checkpoint-file.js';
import { buildCli, runCli } from '../support/cli.js';
import { toneWordCorpus } from '../support/word-corpus.js';

let corpus: string;

beforeAll(() => {
  buildCli();
  // A corpus with a lexicon, so the job can decode; it is there, so the job does not make SynthDigits.
  corpus = toneWordCorpus({ utterances: 30, seed: 5 });
});
afterAll(() => rmSync(corpus, { recursive: true, force: true }));

describe('lstmp demo', () => {
  it('trains for its time, decodes the test split and writes the run directory: model, metrics, decode.jsonl, summary and report', async () => {
    const out = join(corpus, 'run');
    const result = await runCli(['demo', '--corpus', corpus, '--out', out, '--train-seconds', '3', '--threads', '1'], undefined, { timeoutMs: 180_000 });
    expect(result.status).toBe(0);
    // Progress on stderr, the results on stdout.
    expect(result.stderr).toMatch(/^train: \d+/m);
    expect(result.stdout).toMatch(
      new RegExp(`^dev frame accuracy \\d+\\.\\d\\d% after \\d+ frames in \\d+ s on 1 thread\\ntest word error rate \\d+\\.\\d\\d% \\(held-out voices\\); telephone \\d+\\.\\d\\d%, noisy10dB \\d+\\.\\d\\d%\\n${join(out, 'summary.json')}\\n${join(out, 'report.html')}\\n$`),
    );
    const summary = decodeRunSummary(readFileSync(join(out, 'summary.json'), 'utf8'));
    if (E.isLeft(summary)) throw new Error(summary.left);
    const checkpoint = loadCheckpoint(join(out, 'model.msgpack'));
    // The kept model is the best on dev: of the frames trained at most.
    const kept = checkpoint.training?.framesSeen;
    expect(kept).toBeTypeOf('number');
    expect(summary.right.frames).toBeTypeOf('number');
    expect(kept as number).toBeLessThanOrEqual(summary.right.frames as number);
    expect(checkpoint.decoding).toBeDefined();
    const tests: string[] = [];
    for await (const { utterance } of corpusEntries(corpus)) if (utterance.split === 'test') tests.push(utterance.id);
    const decoded = readFileSync(join(out, 'decode.jsonl'), 'utf8').trimEnd().split('\n').map(decodeRecognitionLine);
    expect(decoded.map((line) => E.isRight(line) && line.right.id).sort()).toEqual(tests.sort());
    const wer = /test word error rate (\d+\.\d\d)%/.exec(result.stdout)![1];
    expect((100 * (summary.right.testWer as number)).toFixed(2)).toBe(wer);
    const robustness = summary.right.robustness as Record<string, number>;
    for (const condition of ['telephone', 'noisy10dB']) expect((100 * robustness[condition]).toFixed(2)).toBe(new RegExp(`${condition} (\\d+\\.\\d\\d)%`).exec(result.stdout)![1]);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('Frame accuracy against wall time');
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8')).toMatch(/"type":"evaluation"/);
  });
});
