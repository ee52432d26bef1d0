import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeCheckpoint } from '../../src/model/formats/checkpoint.js';
import type { ModelConfig } from '../../src/model/network/config.js';
import { initParameters } from '../../src/model/network/init.js';
import { decodeNpy, encodeNpy, type NpyArray } from '../../src/ops/codecs/npy.js';
import { mulberry32 } from '../../src/ops/random.js';
import { runForward } from '../../src/testing/network.js';
import { buildCli, refusalNaming, runCli } from '../support/cli.js';
import { portableKernels } from '../../src/ops/kernels/portable/portable-kernels.js';

const config: ModelConfig = { inputs: 3, cells: 5, projection: 2, layers: 2, outputs: 4, cellClip: 50, peepholes: true };
// larger weights than init's ±0.02, so the outputs depend on the whole history
const parameters = initParameters(config, 3, 0.5);
let dir: string;
let checkpoint: string;
let good: string;

function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

function features(steps: number, seed = 1): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({ length: steps * config.inputs }, () => 2 * random() - 1);
}

function readOutput(path: string): NpyArray {
  const decoded = decodeNpy(readFileSync(path));
  if (decoded._tag === 'Left') throw new Error(decoded.left);
  return decoded.right;
}

beforeAll(() => {
  buildCli();
  dir = mkdtempSync(join(tmpdir(), 'lstmp-forward-'));
  checkpoint = file('ck.msgpack', encodeCheckpoint({ config, parameters }));
  good = file('good.npy', encodeNpy({ dtype: 'float32', shape: [2, 3], data: features(2) }));
});

describe('lstmp forward', () => {
  it('writes float32 [T, O] rows of log-probabilities, in chunks equal to one pass over the whole utterance', async () => {
    const T = 600; // more than two chunks of 256, the last one short
    const x = features(T);
    const input = file('long.npy', encodeNpy({ dtype: 'float32', shape: [T, 3], data: x }));
    const whole = runForward(portableKernels, config, parameters, { steps: T, streams: 1, x, targets: new Int32Array(T), mask: new Float32Array(T) }).logp;
    for (const chunk of [[], ['--chunk', '7']]) {
      const out = join(dir, `logp${chunk.join('')}.npy`);
      expect(await runCli(['forward', '--checkpoint', checkpoint, '--features', input, '--out', out, ...chunk])).toEqual({ status: 0, stdout: '', stderr: '' });
      const logp = readOutput(out);
      expect(logp.dtype).toBe('float32');
      expect(logp.shape).toEqual([T, 4]);
      expect(logp.data).toEqual(whole);
      for (let t = 0; t < T; t++) {
        const row = Array.from(logp.data.subarray(4 * t, 4 * t + 4));
        expect(Math.log(row.reduce((s, v) => s + Math.exp(v), 0))).toBeCloseTo(0, 5);
      }
    }
  });

  it('takes an empty utterance', async () => {
    const out = join(dir, 'empty-logp.npy');
    const input = file('empty.npy', encodeNpy({ dtype: 'float32', shape: [0, 3], data: new Float32Array(0) }));
    expect((await runCli(['forward', '--checkpoint', checkpoint, '--features', input, '--out', out])).status).toBe(0);
    expect(readOutput(out).shape).toEqual([0, 4]);
  });

  it.concurrent.each<[string, () => [string[], string, RegExp]]>([
    ['int32 features', () => { const f = file('int.npy', encodeNpy({ dtype: 'int32', shape: [2, 3], data: new Int32Array(6) })); return [['--features', f], f, /^features must be float32, got int32$/]; }],
    ['3-d features', () => { const f = file('3d.npy', encodeNpy({ dtype: 'float32', shape: [2, 1, 3], data: new Float32Array(6) })); return [['--features', f], f, /^features must be \[T, I\], got shape \(2, 1, 3\)$/]; }],
    ['the wrong feature dimension', () => { const f = file('dim.npy', encodeNpy({ dtype: 'float32', shape: [2, 4], data: new Float32Array(8) })); return [['--features', f], f, /^4 features per frame, the checkpoint's network takes 3$/]; }],
    ['NaN features', () => { const f = file('nan.npy', encodeNpy({ dtype: 'float32', shape: [3, 3], data: Float32Array.of(0, 0, 0, 0, 0, 0, 0, NaN, 0) })); return [['--features', f], f, /^NaN or Inf at step 2$/]; }],
    ['float64 features', () => { const f = file('f64.npy', encodeNpy({ dtype: 'float32', shape: [1], data: new Float32Array(1) }).map((b) => (b === 0x34 ? 0x38 : b))); return [['--features', f], f, /^unsupported dtype '<f8'/]; }],
    ['a garbage features file', () => { const f = file('garbage.npy', new TextEncoder().encode('hello')); return [['--features', f], f, /^not a \.npy file \(bad magic\)$/]; }],
    ['a missing features file', () => { const f = join(dir, 'none.npy'); return [['--features', f], f, /^no such file$/]; }],
    ['a missing checkpoint', () => { const c = join(dir, 'none.msgpack'); return [['--checkpoint', c], c, /^no such file$/]; }],
    ['a truncated checkpoint', () => { const c = file('cut.msgpack', encodeCheckpoint({ config, parameters }).subarray(0, 500)); return [['--checkpoint', c], c, /^truncated \(unexpected end of data\)$/]; }],
    ['a corrupt checkpoint', () => { const c = file('corrupt.msgpack', encodeNpy({ dtype: 'float32', shape: [1], data: new Float32Array(1) })); return [['--checkpoint', c], c, /^not an lstmp checkpoint \(not a map\)$/]; }],
  ])('refuses %s: exit 2, one line naming the file', async (_, make) => {
    const [override, named, reason] = make();
    const args = { '--checkpoint': checkpoint, '--features': good, '--out': join(dir, 'out.npy') } as Record<string, string>;
    args[override[0]] = override[1];
    expect(refusalNaming(await runCli(['forward', ...Object.entries(args).flat()]), named)).toMatch(reason);
  });
});
