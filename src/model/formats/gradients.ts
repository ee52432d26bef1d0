import * as E from 'fp-ts/lib/Either.js';
import type { ModelConfig } from '../network/config.js';
import { layoutOf } from '../network/layout.js';
import { decodeTensors, encodeTensors, isMap, plainMsgpack, unpackWhole } from './tensors.js';

/**
 * The gradient of a summed loss over one chunk, as `lstmp bptt` writes it:
 * `{format: "lstmp-gradients", version: 1, loss, frames, tensors}`, the
 * tensors encoded as in a checkpoint (one per tensor of the layout).
 */
export interface Gradients {
  loss: number;
  /** the sum of the mask: how many frames the loss covers */
  frames: number;
  /** in {@link layoutOf} order of the network's config */
  gradients: Float32Array;
}

export const GRADIENTS_FORMAT = 'lstmp-gradients';
export const GRADIENTS_VERSION = 1;

/**
 * The MessagePack bytes of gradients for a network of `config`.
 *
 * @example writeAtomic('grads.msgpack', encodeGradients(config, { loss, frames, gradients }))
 */
export function encodeGradients(config: ModelConfig, g: Gradients): Uint8Array {
  return plainMsgpack.pack({
    format: GRADIENTS_FORMAT,
    version: GRADIENTS_VERSION,
    loss: g.loss,
    frames: g.frames,
    tensors: encodeTensors(layoutOf(config), g.gradients),
  });
}

/** Reads gradients of a network of `config`, or says why the bytes are not such gradients. */
export function decodeGradients(config: ModelConfig, bytes: Uint8Array): E.Either<string, Gradients> {
  const unpacked = unpackWhole(bytes);
  if (E.isLeft(unpacked)) return unpacked;
  const map = unpacked.right;
  if (!isMap(map) || map.format !== GRADIENTS_FORMAT) return E.left('not an lstmp gradients file');
  if (map.version !== GRADIENTS_VERSION) return E.left(`unsupported gradients version ${String(map.version)}`);
  if (typeof map.loss !== 'number' || typeof map.frames !== 'number') return E.left('loss and frames must be numbers');
  const gradients = decodeTensors(layoutOf(config), map.tensors);
  if (E.isLeft(gradients)) return gradients;
  return E.right({ loss: map.loss, frames: map.frames, gradients: gradients.right });
}
