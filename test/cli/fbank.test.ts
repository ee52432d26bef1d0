import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { frameCount } from '../../src/ops/dsp/fbank.js';
import { decodeNpy, type NpyArray } from '../../src/ops/codecs/npy.js';
import { encodeWav } from '../../src/ops/codecs/wav.js';
import { buildCli, refusalNaming, repoRoot, runCli } from '../support/cli.js';

const fixtures = join(repoRoot, 'test', 'fixtures');
let dir: string;

beforeAll(() => {
  buildCli();
  dir = mkdtempSync(join(tmpdir(), 'lstmp-fbank-'));
});

function readNpy(path: string): NpyArray {
  const decoded = decodeNpy(readFileSync(path));
  if (E.isLeft(decoded)) throw new Error(decoded.left);
  return decoded.right;
}

/** A valid 16 kHz WAV of a second of noise, with `edit` applied to its bytes. */
function wavFile(name: string, edit: (bytes: Uint8Array, view: DataView) => Uint8Array | void = () => {}): string {
  const bytes = encodeWav(Float32Array.from({ length: 16000 }, (_, i) => 0.3 * Math.sin(i * 0.37) * Math.cos(i * 0.0011)), 16000);
  const path = join(dir, name);
  writeFileSync(path, edit(bytes, new DataView(bytes.buffer)) ?? bytes);
  return path;
}

describe.concurrent('lstmp fbank', () => {
  it("writes the fixture's features as float32 [frames, 40]", async () => {
    const out = join(dir, 'chirp.npy');
    const run = await runCli(['fbank', join(fixtures, 'chirp-noise.wav'), '--out', out]);
    expect(run).toEqual({ status: 0, stdout: `${out}: 128 frames × 40 bins\n`, stderr: '' });
    const npy = readNpy(out);
    expect([npy.dtype, npy.shape]).toEqual(['float32', [128, 40]]);
    const expected = (JSON.parse(readFileSync(join(fixtures, 'fbank-kaldi.json'), 'utf8')) as { cases: Record<string, { fbank: number[][] }> }).cases['chirp-noise'].fbank;
    let error = 0;
    expected.forEach((row, t) => row.forEach((v, b) => (error = Math.max(error, Math.abs(npy.data[t * 40 + b] - v)))));
    expect(error).toBeLessThan(1e-3);
  });

  it('takes --bins and --cmvn utterance', async () => {
    const out = join(dir, 'tones.npy');
    const run = await runCli(['fbank', join(fixtures, 'tones-gap.wav'), '--bins', '23', '--cmvn', 'utterance', '--out', out]);
    expect(run.status).toBe(0);
    const npy = readNpy(out);
    expect(npy.shape).toEqual([75, 23]);
    for (let b = 0; b < 23; b++) {
      let sum = 0;
      for (let t = 0; t < 75; t++) sum += npy.data[t * 23 + b];
      expect(Math.abs(sum / 75)).toBeLessThan(1e-4);
    }
  });

  it('resamples other rates to 16 kHz', async () => {
    const path = join(dir, '22k.wav');
    writeFileSync(path, encodeWav(Float32Array.from({ length: 22050 }, (_, i) => 0.5 * Math.sin(i * 0.2)), 22050));
    const out = join(dir, '22k.npy');
    expect((await runCli(['fbank', path, '--out', out])).status).toBe(0);
    expect(readNpy(out).shape).toEqual([frameCount(16000), 40]);
  });

  const refusals: [string, () => string, RegExp][] = [
    ['a file that is not RIFF', () => (writeFileSync(join(dir, 'text.wav'), 'just some text\n'), join(dir, 'text.wav')), /^not a RIFF\/WAVE file$/],
    ['a truncated file', () => wavFile('truncated.wav', (bytes) => bytes.subarray(0, 30)), /truncated/],
    ['a file without a data chunk', () => wavFile('nodata.wav', (bytes) => (bytes.set([0x6a, 0x75, 0x6e, 0x6b], 36), bytes.subarray(0, 44).fill(0, 40))), /^no data chunk$/],
    ['zero samples', () => (writeFileSync(join(dir, 'empty.wav'), encodeWav(new Float32Array(0), 16000)), join(dir, 'empty.wav')), /^zero samples/],
    ['an unsupported codec', () => wavFile('mp3.wav', (_, view) => view.setUint16(20, 0x55, true)), /^unsupported codec: format tag 0x0055/],
    ['a huge chunk size', () => wavFile('huge.wav', (_, view) => view.setUint32(16, 0xfffffff0, true)), /^'fmt ' chunk declares 4294967280 bytes/],
    ['a missing file', () => join(dir, 'missing.wav'), /^no such file$/],
    ['audio shorter than one frame', () => (writeFileSync(join(dir, 'short.wav'), encodeWav(new Float32Array(399), 16000)), join(dir, 'short.wav')), /^too short/],
  ];

  it.each(refusals)('refuses %s: exit 2, one line naming the file, no output', async (_, make, reason) => {
    const file = make();
    const out = join(dir, `${file.split('/').pop()}.npy`);
    const run = await runCli(['fbank', file, '--out', out]);
    expect(refusalNaming(run, file)).toMatch(reason);
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    ['--bins', '0'],
    ['--bins', '1000'],
    ['--bins', 'many'],
    ['--cmvn', 'global'],
  ])('refuses %s %s in one line, exit 2', async (option, value) => {
    const run = await runCli(['fbank', join(fixtures, 'tones-gap.wav'), option, value, '--out', join(dir, 'x.npy')]);
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(option);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('requires --out', async () => {
    const run = await runCli(['fbank', join(fixtures, 'tones-gap.wav')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--out');
  });
});
