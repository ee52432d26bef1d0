import { fail } from '../errors.js';
import type { ModelConfig } from '../model/network/config.js';
import { pythonTuple } from '../ops/codecs/npy.js';
import { readNpy } from '../streams/io/npy-file.js';

/** Step-major frames from a features file: data is [T, B, I]. */
export interface Features {
  steps: number;
  streams: number;
  data: Float32Array;
}

/**
 * Float32 features for the network of `config`: [T, I] (one stream) or, with
 * `streams`, also [T, B, I]. Refuses another dtype or rank, a feature
 * dimension the network does not take, and NaN or Inf values.
 */
export function readFeatures(path: string, config: ModelConfig, streams: boolean): Features {
  const { dtype, shape, data } = readNpy(path);
  if (dtype !== 'float32' || !(data instanceof Float32Array)) return fail(`${path}: features must be float32, got ${dtype}`);
  if (shape.length !== 2 && !(streams && shape.length === 3)) {
    return fail(`${path}: features must be ${streams ? '[T, I] or [T, B, I]' : '[T, I]'}, got shape ${pythonTuple(shape)}`);
  }
  const I = shape[shape.length - 1];
  if (I !== config.inputs) return fail(`${path}: ${I} features per frame, the checkpoint's network takes ${config.inputs}`);
  const B = shape.length === 3 ? shape[1] : 1;
  const bad = data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) fail(`${path}: NaN or Inf at step ${Math.floor(bad / (B * I))}`);
  return { steps: shape[0], streams: B, data };
}

/**
 * Int32 targets [T, B] (or [T] for one stream) matching `features`, and a
 * float32 mask of the targets' shape (all ones without `maskPath`). Targets
 * must lie in [0, outputs) wherever the mask is not 0.
 */
export function readTargets(
  targetsPath: string,
  maskPath: string | undefined,
  features: Pick<Features, 'steps' | 'streams'>,
  outputs: number,
): { targets: Int32Array; mask: Float32Array } {
  const { steps: T, streams: B } = features;
  const { dtype, shape, data: targets } = readNpy(targetsPath);
  if (dtype !== 'int32' || !(targets instanceof Int32Array)) return fail(`${targetsPath}: targets must be int32, got ${dtype}`);
  const fits = (shape.length === 2 && shape[0] === T && shape[1] === B) || (shape.length === 1 && shape[0] === T && B === 1);
  if (!fits) return fail(`${targetsPath}: targets shape ${pythonTuple(shape)} does not match the features' steps and streams ${pythonTuple([T, B])}`);

  let mask: Float32Array = new Float32Array(T * B).fill(1);
  if (maskPath !== undefined) {
    const read = readNpy(maskPath);
    if (read.dtype !== 'float32' || !(read.data instanceof Float32Array)) return fail(`${maskPath}: mask must be float32, got ${read.dtype}`);
    if (read.shape.length !== shape.length || read.shape.some((d, i) => d !== shape[i])) {
      return fail(`${maskPath}: mask shape ${pythonTuple(read.shape)} differs from the targets' ${pythonTuple(shape)}`);
    }
    const bad = read.data.findIndex((v) => !(Number.isFinite(v) && v >= 0));
    if (bad >= 0) fail(`${maskPath}: mask value ${read.data[bad]} at ${where(bad, B)} (must be finite and ≥ 0)`);
    mask = read.data;
  }
  for (let n = 0; n < T * B; n++) {
    if (mask[n] !== 0 && !(targets[n] >= 0 && targets[n] < outputs)) {
      fail(`${targetsPath}: target ${targets[n]} at ${where(n, B)} is outside [0, ${outputs})`);
    }
  }
  return { targets, mask };
}

function where(frame: number, streams: number): string {
  return streams === 1 ? `step ${frame}` : `step ${Math.floor(frame / streams)}, stream ${frame % streams}`;
}
