/**
 * Local SGD's bookkeeping on a worker. The worker trains its own copy of the
 * parameters and now and then pushes what its training changed since the
 * values it last had from the shards (its base), times its share (1/W when
 * the shards are to hold the average of W workers' models, 1 for the sum),
 * then merges the shards' fresh values in without losing what it trained
 * while the push travelled:
 *
 *   taken = current                        (when the push starts)
 *   delta = share × (taken − base)         → pushed
 *   current += fresh − taken; base = fresh (when the answer comes)
 *
 * So `current` ends as fresh + (what was trained since `taken`), and the next
 * delta is a share of exactly that. Equal lengths are the caller's check;
 * nothing is allocated.
 */

/** `out[i] = share × (current[i] − base[i])`: what training changed since `base`, or a share of it. */
export function deltaSince(current: Float32Array, base: Float32Array, out: Float32Array, share = 1): Float32Array {
  if (share === 1) for (let i = 0; i < out.length; i++) out[i] = current[i] - base[i];
  else for (let i = 0; i < out.length; i++) out[i] = share * (current[i] - base[i]);
  return out;
}

/**
 * `current[i] += fresh[i] − taken[i]`: the shards' fresh values, plus what
 * training has done to `current` since it was `taken`.
 */
export function rebase(current: Float32Array, taken: Float32Array, fresh: Float32Array): Float32Array {
  for (let i = 0; i < current.length; i++) current[i] += fresh[i] - taken[i];
  return current;
}
