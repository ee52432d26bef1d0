import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import type { ModelConfig } from '../../../src/model/network/config.js';
import { decodeGradients, encodeGradients } from '../../../src/model/formats/gradients.js';
import { layoutOf } from '../../../src/model/network/layout.js';
import { plainMsgpack } from '../../../src/model/formats/tensors.js';

const config: ModelConfig = { inputs: 2, cells: 3, projection: 0, layers: 1, outputs: 4, cellClip: 50, peepholes: false };
const size = layoutOf(config).size;

describe('gradients codec', () => {
  it('round-trips loss, frames and every tensor bit for bit', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true }).map((v) => v + 0), // msgpackr writes -0 as the integer 0
        fc.nat(),
        fc.float32Array({ minLength: size, maxLength: size, noNaN: true, noDefaultInfinity: true }),
        (loss, frames, gradients) => {
          expect(decodeGradients(config, encodeGradients(config, { loss, frames, gradients }))).toEqual(E.right({ loss, frames, gradients }));
        },
      ),
    );
  });

  it('writes the documented map, tensors named and shaped as in a checkpoint', () => {
    const map = plainMsgpack.unpack(encodeGradients(config, { loss: 1.5, frames: 3, gradients: new Float32Array(size) })) as Record<string, unknown>;
    expect(Object.keys(map)).toEqual(['format', 'version', 'loss', 'frames', 'tensors']);
    expect([map.format, map.version, map.loss, map.frames]).toEqual(['lstmp-gradients', 1, 1.5, 3]);
    const tensors = map.tensors as Record<string, { shape: number[] }>;
    expect(Object.entries(tensors).map(([name, t]) => [name, t.shape])).toEqual(layoutOf(config).tensors.map((s) => [s.name, s.shape]));
  });

  it('refuses other files', () => {
    const other = (map: unknown) => decodeGradients(config, plainMsgpack.pack(map));
    expect(other({ format: 'lstmp-checkpoint' })).toEqual(E.left('not an lstmp gradients file'));
    expect(other({ format: 'lstmp-gradients', version: 9 })).toEqual(E.left('unsupported gradients version 9'));
    expect(other({ format: 'lstmp-gradients', version: 1, loss: '1', frames: 1 })).toEqual(E.left('loss and frames must be numbers'));
    expect(other({ format: 'lstmp-gradients', version: 1, loss: 1, frames: 1, tensors: {} })).toEqual(E.left('missing tensors layer0.Wx, layer0.Wr, layer0.b, output.Wyr, output.by'));
    expect(decodeGradients(config, new Uint8Array([0x92]))).toEqual(E.left('truncated (unexpected end of data)'));
  });
});
