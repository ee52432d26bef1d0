import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modelIdentity } from '../../../src/model/network/identity.js';
import { initParameters } from '../../../src/model/network/init.js';
import { isBiasOrPeephole, layoutOf } from '../../../src/model/network/layout.js';
import type { Schedule } from '../../../src/model/network/schedule.js';
import { applyDelta, applyPush, APPLIED_LIMIT, decodeShardState, encodeShardState, segmentsOf, shardOf, type PushIdentity, type ShardState } from '../../../src/model/cluster/shard-state.js';
import { plainMsgpack } from '../../../src/model/formats/tensors.js';
import type { LstmpSpec } from '../../../src/ops/nn/lstmp.js';
import { sgdStep } from '../../../src/ops/kernels/portable/update.js';

const spec: LstmpSpec = { inputs: 4, cells: 5, projection: 3, layers: 2, outputs: 6, cellClip: 50, peepholes: true };
const total = layoutOf(spec).size;

describe('modelIdentity', () => {
  it('is the same for equal configs whatever their field order, and differs when any field does', () => {
    const reordered = Object.fromEntries(Object.entries(spec).reverse()) as LstmpSpec;
    expect(modelIdentity(reordered)).toBe(modelIdentity(spec));
    expect(modelIdentity(spec)).toMatch(/^lstmp-[0-9a-f]{16}$/);
    const variants: LstmpSpec[] = [
      { ...spec, cells: 6 },
      { ...spec, projection: 0 },
      { ...spec, layers: 1 },
      { ...spec, outputs: 7 },
      { ...spec, inputs: 40 },
      { ...spec, peepholes: false },
      { ...spec, cellClip: 10 },
    ];
    const identities = new Set([spec, ...variants].map(modelIdentity));
    expect(identities.size).toBe(variants.length + 1);
  });
});

describe('a parameter-server shard', () => {
  it('applies a push as the single-machine update of the same elements, at the rate of the frames it has seen', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.float({ min: Math.fround(0.01), max: 3, noNaN: true }),
        fc.float({ min: 0, max: Math.fround(0.9), noNaN: true }),
        fc.integer({ min: 1, max: 500 }),
        (count, clip, momentum, frames) => {
          const schedule: Schedule = { learningRate: 0.05, decay: 0.5, decayFrames: 300, biasRateFactor: 0.3, gradientClip: clip, momentum };
          const initial = initParameters(spec, 2, 0.1);
          const gradients = [1, 2].map((seed) => initParameters(spec, seed + 10, 4));
          // The reference: the whole vector, slot by slot, as the sgd stage does it.
          const reference = initial.slice();
          const velocity = new Float32Array(total);
          let seen = 0;
          for (const gradient of gradients) {
            const rate = 0.05 * Math.pow(0.5, seen / 300);
            for (const slot of layoutOf(spec).tensors) sgdStep(reference, velocity, gradient, slot.offset, slot.size, rate * (isBiasOrPeephole(slot.name) ? 0.3 : 1), momentum, clip);
            seen += frames;
          }
          for (let index = 0; index < count; index++) {
            const state = shardOf(spec, initial, index, count);
            const segments = segmentsOf(state, schedule);
            const { offset, length } = state.range;
            for (const gradient of gradients) applyPush(state, segments, schedule, gradient.subarray(offset, offset + length), frames);
            expect(state.framesSeen).toBe(2 * frames);
            expect(state.updates).toBe(2);
            expect(Array.from(state.values)).toEqual(Array.from(reference.subarray(offset, offset + length)));
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('adds a pushed delta to its slice, counts its frames and steps, leaves the momentum alone, and applies it once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 1000 }), (count, frames, seed) => {
        const initial = initParameters(spec, 2, 0.1);
        const delta = initParameters(spec, seed, 0.01);
        for (let index = 0; index < count; index++) {
          const state = shardOf(spec, initial, index, count, 7);
          const { offset, length } = state.range;
          const piece = delta.subarray(offset, offset + length);
          const id = { worker: 'w', thread: 0, sequence: 1 };
          expect(applyDelta(state, piece, frames, 5, id)).toBe(true);
          expect(applyDelta(state, piece, frames, 5, id)).toBe(false);
          // Its updates are the SGD steps the delta holds.
          expect([state.framesSeen, state.updates]).toEqual([7 + frames, 5]);
          expect(Array.from(state.values)).toEqual(Array.from(piece, (d, i) => Math.fround(initial[offset + i] + d)));
          expect(state.velocity.every((v) => v === 0)).toBe(true);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('saves and restores its slice, momentum, schedule position and the pushes it has applied exactly', () => {
    const state = shardOf(spec, initParameters(spec, 4, 0.1), 1, 3, 1234);
    state.velocity.fill(0.5);
    state.updates = 17;
    state.applied.set('a1b2c3/0', 41);
    const restored = decodeShardState(encodeShardState(state));
    expect(E.isRight(restored) && restored.right).toEqual(state);
  });

  it('applies a push with an identity once, even after a restart from its saved state', () => {
    const schedule: Schedule = { learningRate: 0.05, decay: 1, decayFrames: 1, biasRateFactor: 1, gradientClip: Infinity, momentum: 0 };
    const state = shardOf(spec, initParameters(spec, 4, 0.1), 0, 1);
    const gradient = initParameters(spec, 5, 1);
    const push = (on: ShardState, id: PushIdentity) => applyPush(on, segmentsOf(on, schedule), schedule, gradient, 20, id);
    expect(push(state, { worker: 'w', thread: 0, sequence: 1 })).toBe(true);
    const once = state.values.slice();
    expect(push(state, { worker: 'w', thread: 0, sequence: 1 })).toBe(false);
    expect(state.values).toEqual(once);
    expect([state.updates, state.framesSeen]).toEqual([1, 20]);
    // Another thread's, or another worker's, first push is its own.
    expect(push(state, { worker: 'w', thread: 1, sequence: 1 })).toBe(true);
    expect(push(state, { worker: 'v', thread: 0, sequence: 1 })).toBe(true);
    const restored = decodeShardState(encodeShardState(state));
    if (E.isLeft(restored)) throw new Error(restored.left);
    expect(push(restored.right, { worker: 'w', thread: 1, sequence: 1 })).toBe(false);
    expect(push(restored.right, { worker: 'w', thread: 1, sequence: 2 })).toBe(true);
    expect(restored.right.updates).toBe(4);
  });

  it('forgets the pushes of threads long gone, keeping at most its limit', () => {
    const schedule: Schedule = { learningRate: 0.05, decay: 1, decayFrames: 1, biasRateFactor: 1, gradientClip: Infinity, momentum: 0 };
    const state = shardOf(spec, initParameters(spec, 4, 0.1), 0, 1);
    const gradient = new Float32Array(total);
    for (let worker = 0; worker < APPLIED_LIMIT + 10; worker++) applyPush(state, segmentsOf(state, schedule), schedule, gradient, 1, { worker: `w${worker}`, thread: 0, sequence: 1 });
    expect(state.applied.size).toBe(APPLIED_LIMIT);
    expect(state.applied.has('w0/0')).toBe(false);
    expect(state.applied.has(`w${APPLIED_LIMIT + 9}/0`)).toBe(true);
  });

  it('refuses a state file that is corrupt, truncated, of another size or holding NaN, in words', () => {
    const state = shardOf(spec, initParameters(spec, 4, 0.1), 0, 2);
    const bytes = encodeShardState(state);
    const fields = plainMsgpack.unpack(bytes) as Record<string, unknown>;
    const refusal = (input: Uint8Array) => {
      const decoded = decodeShardState(input);
      return E.isLeft(decoded) ? decoded.left : 'accepted';
    };
    const withNaN = state.values.slice();
    withNaN[2] = NaN;
    expect(refusal(bytes.subarray(0, bytes.length - 9))).toMatch(/truncated/);
    expect(refusal(new TextEncoder().encode('not a shard'))).toMatch(/trailing bytes/);
    expect(refusal(plainMsgpack.pack({ format: 'lstmp-checkpoint' }))).toBe('not an lstmp shard state');
    expect(refusal(plainMsgpack.pack({ ...fields, values: new Uint8Array(8) }))).toMatch(/holds \d+ values, the file 2/);
    expect(refusal(plainMsgpack.pack({ ...fields, values: new Uint8Array(withNaN.buffer) }))).toMatch(/NaN or Inf/);
    expect(refusal(plainMsgpack.pack({ ...fields, index: 2 }))).toMatch(/shard 2 of 2 does not exist/);
    expect(refusal(plainMsgpack.pack({ ...fields, config: { ...spec, cells: -1 } }))).toMatch(/cells/);
    expect(refusal(plainMsgpack.pack({ ...fields, framesSeen: 'many' }))).toMatch(/framesSeen/);
  });
});
