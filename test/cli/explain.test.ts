import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, refusalNaming, runCli } from '../support/cli.js';
import { toneCorpus } from '../support/corpus.js';

let corpus: string;
let checkpoint: string;
const shape = ['--inputs', '40', '--cells', '8', '--projection', '4', '--layers', '2'];

beforeAll(async () => {
  buildCli();
  corpus = toneCorpus({ utterances: 3 });
  checkpoint = join(corpus, 'ck.msgpack');
  expect((await runCli(['init', ...shape, '--outputs', '4', '--out', checkpoint])).status).toBe(0);
});
afterAll(() => rmSync(corpus, { recursive: true, force: true }));

describe('lstmp explain', () => {
  it('lays one chunk of an utterance open as a page', async () => {
    const out = join(corpus, 'explain.html');
    const result = await runCli(['explain', '--checkpoint', checkpoint, '--corpus', corpus, '--utterance', 'utt001', '--out', out, '--steps', '10', '--chunk', '1']);
    expect(result).toEqual({ status: 0, stdout: `${out}\n`, stderr: '' });
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('Truncated BPTT, laid open: utt001');
    expect(html).toContain('chunk 2 of');
    expect(html).toContain('T = 10 steps');
    expect(html.match(/<figcaption>Forget gate f_t/g)).toHaveLength(2); // one per layer
    expect(html).toContain('Gradient norms flowing back through the steps');
  });

  it('refuses an unknown utterance, a chunk it does not have, and a network that does not fit the corpus', async () => {
    const out = join(corpus, 'never.html');
    const args = ['--checkpoint', checkpoint, '--corpus', corpus, '--out', out];
    expect(refusalNaming(await runCli(['explain', ...args, '--utterance', 'nope']), corpus)).toBe('no utterance "nope" in manifest.jsonl');
    const far = await runCli(['explain', ...args, '--utterance', 'utt000', '--chunk', '99']);
    expect(far.status).toBe(2);
    expect(far.stderr).toMatch(/^lstmp: utterance utt000 has \d+ chunks? of 20 steps \(\d+ frames with the delay\); there is no chunk 99\n$/);
    const wrong = join(corpus, 'wrong.msgpack');
    expect((await runCli(['init', ...shape, '--outputs', '5', '--out', wrong])).status).toBe(0);
    expect(refusalNaming(await runCli(['explain', ...args, '--checkpoint', wrong, '--utterance', 'utt000']), wrong)).toBe('the network has 5 outputs, the corpus 4 states');
  });
});
