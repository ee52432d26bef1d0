import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeCheckpoint } from '../../src/model/formats/checkpoint.js';
import type { ModelConfig } from '../../src/model/network/config.js';
import { decodeGradients } from '../../src/model/formats/gradients.js';
import { initParameters } from '../../src/model/network/init.js';
import { encodeNpy } from '../../src/ops/codecs/npy.js';
import { mulberry32 } from '../../src/ops/random.js';
import { runBackward } from '../../src/testing/network.js';
import { buildCli, refusalNaming, runCli } from '../support/cli.js';
import { portableKernels } from '../../src/ops/kernels/portable/portable-kernels.js';

const config: ModelConfig = { inputs: 3, cells: 4, projection: 2, layers: 2, outputs: 5, cellClip: 50, peepholes: true };
const parameters = initParameters(config, 5, 0.5);
const T = 9;
const B = 3;
let dir: string;
let checkpoint: string;
let good: Record<string, string>;

function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

function npy(name: string, dtype: 'float32' | 'int32', shape: number[], values: number[]): string {
  return file(name, encodeNpy({ dtype, shape, data: dtype === 'float32' ? Float32Array.from(values) : Int32Array.from(values) }));
}

const random = mulberry32(11);
const x = Float32Array.from({ length: T * B * 3 }, () => 2 * random() - 1);
const targets = Int32Array.from({ length: T * B }, () => Math.floor(5 * random()));
const mask = Float32Array.from({ length: T * B }, (_, n) => (n % 4 === 1 ? 0 : n % 5 === 0 ? 0.5 : 1));
// a masked frame may hold any target, padding included
targets[1] = -1;

function gradientsIn(path: string) {
  const decoded = decodeGradients(config, readFileSync(path));
  if (decoded._tag === 'Left') throw new Error(decoded.left);
  return decoded.right;
}

beforeAll(() => {
  buildCli();
  dir = mkdtempSync(join(tmpdir(), 'lstmp-bptt-'));
  checkpoint = file('ck.msgpack', encodeCheckpoint({ config, parameters }));
  good = {
    '--features': npy('good-x.npy', 'float32', [2, 3], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]),
    '--targets': npy('good-y.npy', 'int32', [2], [0, 4]),
  };
});

describe('lstmp bptt', () => {
  it('writes the loss, the mask sum and the gradient the operators compute for [T, B, I] features', async () => {
    const out = join(dir, 'grads.msgpack');
    const args = ['bptt', '--checkpoint', checkpoint, '--out', out,
      '--features', file('x.npy', encodeNpy({ dtype: 'float32', shape: [T, B, 3], data: x })),
      '--targets', file('y.npy', encodeNpy({ dtype: 'int32', shape: [T, B], data: targets })),
      '--mask', file('m.npy', encodeNpy({ dtype: 'float32', shape: [T, B], data: mask }))];
    expect(await runCli(args)).toEqual({ status: 0, stdout: '', stderr: '' });
    const expected = runBackward(portableKernels, config, parameters, { steps: T, streams: B, x, targets, mask });
    const written = gradientsIn(out);
    expect(written.loss).toBe(expected.loss);
    expect(written.frames).toBe(mask.reduce((a, b) => a + b, 0));
    expect(written.gradients).toEqual(expected.gradient);
    expect(written.gradients.some((g) => g !== 0)).toBe(true);
  });

  it('reads [T, I] features with [T] targets as one stream, every frame counted without a mask', async () => {
    const out = join(dir, 'grads1.msgpack');
    const x1 = x.subarray(0, T * 3);
    const y1 = targets.map((y) => Math.max(y, 0)).subarray(0, T);
    const args = ['bptt', '--checkpoint', checkpoint, '--out', out,
      '--features', file('x1.npy', encodeNpy({ dtype: 'float32', shape: [T, 3], data: x1 })),
      '--targets', file('y1.npy', encodeNpy({ dtype: 'int32', shape: [T], data: y1 }))];
    expect((await runCli(args)).status).toBe(0);
    const expected = runBackward(portableKernels, config, parameters, { steps: T, streams: 1, x: x1, targets: y1, mask: new Float32Array(T).fill(1) });
    expect(gradientsIn(out)).toEqual({ loss: expected.loss, frames: T, gradients: expected.gradient });
  });

  it.concurrent.each<[string, () => [Record<string, string>, string, RegExp]]>([
    ['float32 targets', () => { const f = npy('yf.npy', 'float32', [2], [0, 1]); return [{ '--targets': f }, f, /^targets must be int32, got float32$/]; }],
    ['a mask of another shape than the targets', () => { const m = npy('m1.npy', 'float32', [2], [1, 1]); return [{ '--targets': npy('y21.npy', 'int32', [2, 1], [0, 1]), '--mask': m }, m, /^mask shape \(2,\) differs from the targets' \(2, 1\)$/]; }],
    ['targets with too few steps', () => { const f = npy('y3.npy', 'int32', [3], [0, 1, 2]); return [{ '--targets': f }, f, /^targets shape \(3,\) does not match the features' steps and streams \(2, 1\)$/]; }],
    ['targets of another stream count', () => { const f = npy('y22.npy', 'int32', [2, 2], [0, 1, 2, 3]); return [{ '--targets': f }, f, /^targets shape \(2, 2\) does not match the features' steps and streams \(2, 1\)$/]; }],
    ['3-d targets', () => { const f = npy('y3d.npy', 'int32', [2, 1, 1], [0, 1]); return [{ '--targets': f }, f, /does not match/]; }],
    ['a target out of range on an unmasked frame', () => { const f = npy('yo.npy', 'int32', [2], [0, 5]); return [{ '--targets': f }, f, /^target 5 at step 1 is outside \[0, 5\)$/]; }],
    ['a negative target on an unmasked frame', () => { const f = npy('yn.npy', 'int32', [2], [-1, 0]); return [{ '--targets': f, '--mask': npy('mh.npy', 'float32', [2], [0.5, 0]) }, f, /^target -1 at step 0 is outside \[0, 5\)$/]; }],
    ['an int32 mask', () => { const m = npy('mi.npy', 'int32', [2], [1, 1]); return [{ '--mask': m }, m, /^mask must be float32, got int32$/]; }],
    ['a NaN mask', () => { const m = npy('mn.npy', 'float32', [2], [1, NaN]); return [{ '--mask': m }, m, /^mask value NaN at step 1 \(must be finite and ≥ 0\)$/]; }],
    ['a negative mask', () => { const m = npy('mneg.npy', 'float32', [2], [-1, 1]); return [{ '--mask': m }, m, /^mask value -1 at step 0 \(must be finite and ≥ 0\)$/]; }],
    ['1-d features', () => { const f = npy('x1d.npy', 'float32', [6], [0, 0, 0, 0, 0, 0]); return [{ '--features': f }, f, /^features must be \[T, I\] or \[T, B, I\], got shape \(6,\)$/]; }],
    ['the wrong feature dimension', () => { const f = npy('x2.npy', 'float32', [2, 1, 2], [0, 0, 0, 0]); return [{ '--features': f }, f, /^2 features per frame, the checkpoint's network takes 3$/]; }],
    ['a missing mask file', () => { const f = join(dir, 'nomask.npy'); return [{ '--mask': f }, f, /^no such file$/]; }],
  ])('refuses %s: exit 2, one line naming the file', async (_, make) => {
    const [overrides, named, reason] = make();
    const args: Record<string, string> = { '--checkpoint': checkpoint, ...good, '--out': join(dir, 'out.msgpack'), ...overrides };
    expect(refusalNaming(await runCli(['bptt', ...Object.entries(args).flat()]), named)).toMatch(reason);
  });
});
