import type { LstmpSpec } from '../../ops/nn/lstmp.js';
import { layoutOf } from './layout.js';

/**
 * A short name for a network's shape: equal for equal configs, different
 * (with overwhelming odds) otherwise. Parameter-server shards and workers
 * compare it on every call, so a worker built for another network is refused
 * before it can touch the parameters.
 *
 * @example modelIdentity(config) // 'lstmp-1a2b3c4d5e6f7a8b'
 */
export function modelIdentity(spec: LstmpSpec): string {
  const fields = Object.entries(spec).sort(([a], [b]) => (a < b ? -1 : 1));
  const text = JSON.stringify([fields, layoutOf(spec).size]);
  // Two FNV-1a hashes with different offsets: 64 bits, no crypto needed.
  const fnv = (basis: number) => {
    let hash = basis;
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
    return hash.toString(16).padStart(8, '0');
  };
  return `lstmp-${fnv(0x811c9dc5)}${fnv(0x050c5d1f)}`;
}
