import * as E from 'fp-ts/lib/Either.js';
import type { Compression } from '../../ops/compression/compression.js';

/**
 * A `--compress` value as the compression it names: `none` (float32),
 * `bf16`, `1bit`, or `topk:F`, the fraction F in (0, 1] of each push's
 * values kept. Or what is wrong with it.
 *
 * @example parseCompression('topk:0.01') // right({ kind: 'topk', fraction: 0.01 })
 */
export function parseCompression(text: string): E.Either<string, Compression> {
  const value = text.trim();
  if (value === 'none' || value === 'f32') return E.right({ kind: 'f32' });
  if (value === 'bf16' || value === '1bit') return E.right({ kind: value });
  const topk = /^topk:(.*)$/.exec(value);
  if (topk) {
    const fraction = Number(topk[1]);
    if (topk[1].trim() !== '' && Number.isFinite(fraction) && fraction > 0 && fraction <= 1) return E.right({ kind: 'topk', fraction });
    return E.left(`topk:F takes the fraction of values kept, in (0, 1], e.g. topk:0.01; got "${text}"`);
  }
  return E.left(`expected none, bf16, 1bit or topk:F (F in (0, 1]), got "${text}"`);
}

/** The `--compress` value that names `compression` (parseCompression's inverse). */
export function compressionName(compression: Compression): string {
  return compression.kind === 'f32' ? 'none' : compression.kind === 'topk' ? `topk:${compression.fraction}` : compression.kind;
}
