import * as E from 'fp-ts/lib/Either.js';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { initParameters } from '../../../src/model/network/init.js';
import { layoutOf } from '../../../src/model/network/layout.js';
import type { Schedule } from '../../../src/model/network/schedule.js';
import { shardOf } from '../../../src/model/cluster/shard-state.js';
import { decodeMessage, encodeMessage, PushCodec, ShardValuesCodec, valuesToBytes } from '../../../src/model/cluster/shard-messages.js';
import { modelIdentity } from '../../../src/model/network/identity.js';
import { plainMsgpack } from '../../../src/model/formats/tensors.js';
import type { LstmpSpec } from '../../../src/ops/nn/lstmp.js';
import { connectShards, type ConnectOptions } from '../../../src/streams/cluster/parameter-client.js';
import { serveShard, type ShardServer } from '../../../src/streams/cluster/parameter-server.js';
import { ParameterShardService, secretMetadata } from '../../../src/streams/cluster/parameter-service.js';
import { compress, compressedBytes, decompress, type Compression } from '../../../src/ops/compression/compression.js';
import { selfSigned } from '../../support/tls.js';

const spec: LstmpSpec = { inputs: 3, cells: 4, projection: 2, layers: 1, outputs: 5, cellClip: 50, peepholes: true };
const total = layoutOf(spec).size;
const schedule: Schedule = { learningRate: 0.01, decay: 0.5, decayFrames: 100, biasRateFactor: 0.5, gradientClip: 2, momentum: 0 };
const secret = 'correct horse battery';
const connect: ConnectOptions = { secret, deadlineMs: 5_000, retryForMs: 2_000 };

let servers: ShardServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

async function cluster(count: number, tls?: { certificate: Uint8Array; key: Uint8Array }) {
  const initial = initParameters(spec, 7, 0.1);
  const states = Array.from({ length: count }, (_, index) => shardOf(spec, initial, index, count));
  servers = await Promise.all(states.map((state) => serveShard({ state, schedule, secret, listen: '127.0.0.1:0', tls })));
  return { initial, states, addresses: servers.map((server) => server.address) };
}

/** A raw call's reply, as a worker of its own making sees it. */
function rawReply(address: string, method: keyof typeof ParameterShardService, request: Uint8Array, metadata: grpc.Metadata): Promise<Uint8Array> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const definition = ParameterShardService[method];
  return new Promise((resolve, reject) =>
    client.makeUnaryRequest(definition.path, definition.requestSerialize, definition.responseDeserialize, request, metadata, { deadline: Date.now() + 5_000 }, (error, response) => {
      client.close();
      if (error || !response) reject(error ?? new Error('no reply'));
      else resolve(response);
    }),
  );
}

/** A raw call, as a stranger or a broken worker would make it. */
function rawCall(address: string, method: keyof typeof ParameterShardService, request: Uint8Array, metadata: grpc.Metadata): Promise<grpc.ServiceError | null> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const definition = ParameterShardService[method];
  return new Promise((resolve) =>
    client.makeUnaryRequest(definition.path, definition.requestSerialize, definition.responseDeserialize, request, metadata, { deadline: Date.now() + 5_000 }, (error) => {
      client.close();
      resolve(error);
    }),
  );
}

describe('parameter-server shards', () => {
  it('apply a pushed gradient exactly as single-machine SGD would, each shard its slice', async () => {
    const { initial, addresses } = await cluster(3);
    const server = await connectShards(addresses, connect);
    expect(server.shards.map((shard) => shard.length).reduce((a, b) => a + b)).toBe(total);
    const gradient = Float32Array.from({ length: total }, (_, i) => Math.sin(i) * 3);
    const fresh = new Float32Array(total);
    const position = await server.push(gradient, 40, fresh);
    expect(position.framesSeen).toBe(40);
    const layout = layoutOf(spec);
    for (const slot of layout.tensors) {
      const factor = /\.(b|by|peephole)$/.test(slot.name) ? 0.5 : 1;
      for (let i = slot.offset; i < slot.offset + slot.size; i++) {
        const clipped = Math.max(-2, Math.min(2, gradient[i]));
        expect(fresh[i]).toBeCloseTo(initial[i] - 0.01 * factor * clipped, 6);
      }
    }
    // The second push runs at the decayed rate of 40 frames seen.
    const again = await server.push(gradient, 60, null);
    expect(again.framesSeen).toBe(100);
    expect(again.learningRate).toBeCloseTo(0.01 * 0.5, 9);
    const pulled = new Float32Array(total);
    await server.pull(pulled);
    expect(pulled[0]).toBeCloseTo(fresh[0] - 0.01 * Math.pow(0.5, 0.4) * Math.max(-2, Math.min(2, gradient[0])), 6);
    server.close();
  });

  it('add a pushed delta to their values, compressed or not, say their schedule, and refuse a delta that is not finite', async () => {
    const { initial, states, addresses } = await cluster(3);
    const server = await connectShards(addresses, connect);
    expect(server.schedule).toEqual(schedule);
    const delta = Float32Array.from({ length: total }, (_, i) => Math.sin(i) / 64);
    const fresh = new Float32Array(total);
    const position = await server.pushDelta(delta, 40, 3, fresh);
    expect([position.framesSeen, position.updates]).toEqual([40, 3]);
    // No learning rate, no clipping, no momentum: the values move by the delta.
    expect(Array.from(fresh)).toEqual(Array.from(initial, (value, i) => Math.fround(value + delta[i])));
    expect(states.every((state) => state.velocity.every((v) => v === 0))).toBe(true);
    // Compressed: bf16 deltas of bf16-exact values arrive exact (error feedback is tested with the codecs).
    const bf16 = await connectShards(addresses, { ...connect, compression: { kind: 'bf16' } });
    await bf16.pushDelta(new Float32Array(total).fill(0.5), 10, 1, fresh);
    expect(Array.from(fresh)).toEqual(Array.from(initial, (value, i) => Math.fround(Math.fround(value + delta[i]) + 0.5)));
    const broken = delta.slice();
    broken[3] = NaN;
    await expect(server.pushDelta(broken, 10, 1, null)).rejects.toThrow(/refused the call: shard 0\/3: the delta holds NaN or Inf values/);
    // Each shard takes or refuses its piece whole: the one holding the NaN refused it.
    expect(states.map((state) => state.framesSeen)).toEqual([50, 60, 60]);
    server.close();
    bf16.close();
  });

  it('answer a compressing worker\'s deltas with the change since its last answer, compressed, its copy kept in step; whole when a reply was lost', async () => {
    const { states, addresses } = await cluster(2);
    const shardValues = () => {
      const all = new Float32Array(total);
      for (const state of states) all.set(state.values, state.range.offset);
      return all;
    };
    // While `dropping` counts down, push replies are dropped after the shards applied the push: it is sent again.
    let dropping = 0;
    const dropSecond: grpc.Interceptor = (options, nextCall) =>
      new grpc.InterceptingCall(nextCall(options), {
        start: (metadata, _listener, next) => {
          const drop = options.method_definition.path.endsWith('/Push') && dropping > 0 && dropping-- > 0;
          next(metadata, {
            onReceiveStatus: (status: grpc.StatusObject, forward: (status: grpc.StatusObject) => void) =>
              forward(drop ? { ...status, code: grpc.status.UNAVAILABLE, details: 'the reply was dropped on purpose' } : status),
          });
        },
      });
    const worker = await connectShards(addresses, { ...connect, compression: { kind: '1bit' }, interceptors: [dropSecond] });
    const other = await connectShards(addresses, connect);
    const base = new Float32Array(total);
    await worker.pull(base);
    const delta = Float32Array.from({ length: total }, (_, i) => Math.sin(i) / 32);
    // First: the whole values, since the shards have sent this thread nothing yet.
    await worker.pushDelta(delta, 10, 1, base);
    expect(base).toEqual(shardValues());
    // Then changes: another worker moves the shards, and the 1-bit answers close on them.
    await other.pushDelta(delta, 10, 1, null);
    const gap = () => shardValues().reduce((sum, v, i) => sum + Math.abs(v - base[i]), 0);
    const zero = new Float32Array(total);
    await worker.pushDelta(zero, 10, 1, base);
    const after = gap();
    expect(after).toBeGreaterThan(0);
    for (let i = 0; i < 30; i++) await worker.pushDelta(zero, 10, 1, base);
    expect(gap()).toBeLessThan(0.2 * after);
    // A push whose replies were lost (both pieces) is sent again and answered whole.
    await other.pushDelta(delta, 10, 1, null);
    dropping = 2;
    await worker.pushDelta(zero, 10, 1, base);
    expect(servers.map((server) => server.info().repeated)).toEqual([1, 1]);
    expect(base).toEqual(shardValues());
    worker.close();
    other.close();
  });

  it('answer with a change only from the values the thread says it holds: a late duplicate whose retry was answered does not break the two copies apart', async () => {
    const { addresses } = await cluster(1);
    const model = modelIdentity(spec);
    const push = async (sequence: number, since: number) => {
      const request = encodeMessage(PushCodec, {
        model,
        frames: 1,
        gradient: valuesToBytes(new Float32Array(total).fill(1 / 64)),
        fetch: true,
        id: { worker: 'w', thread: 0, sequence },
        pushed: 'delta',
        answerAs: { kind: 'bf16' },
        since,
      });
      const reply = await rawReply(addresses[0], 'push', request, secretMetadata(secret));
      const decoded = decodeMessage(ShardValuesCodec, reply);
      if (E.isLeft(decoded)) throw new Error(decoded.left);
      return decoded.right;
    };
    const first = await push(1, 0);
    expect(first.values).toBeDefined();
    const second = await push(2, first.tag!);
    expect(second.change).toBeDefined();
    // The first attempt of push 2, late: answered whole, to nobody.
    const late = await push(2, first.tag!);
    expect(late.values).toBeDefined();
    // The thread holds the second answer's values, not the late one's: it is answered whole, and in step again.
    const third = await push(3, second.tag!);
    expect(third.values).toBeDefined();
    const fourth = await push(4, third.tag!);
    expect(fourth.change).toBeDefined();
    expect(new Set([first.tag, second.tag, late.tag, third.tag, fourth.tag]).size).toBe(5);
  });

  it('are refused as one model\'s shards when they run different schedules, in one line', async () => {
    const initial = initParameters(spec, 7, 0.1);
    const states = [0, 1].map((index) => shardOf(spec, initial, index, 2));
    servers = await Promise.all(states.map((state, index) => serveShard({ state, schedule: { ...schedule, learningRate: 0.01 * (index + 1) }, secret, listen: '127.0.0.1:0' })));
    const addresses = servers.map((server) => server.address);
    await expect(connectShards(addresses, connect)).rejects.toThrow(new RegExp(`^shards ${addresses[0]} and ${addresses[1]} run different schedules \\(.*"learningRate":0\\.01.*, .*"learningRate":0\\.02.*\\): give every shard the same schedule options$`));
  });

  it('apply a push once when its reply is lost and the client sends it again (each push has an identity)', async () => {
    const { initial, states, addresses } = await cluster(2);
    // The first push reply from each shard is dropped after the shard has applied the push: the client
    // sees the connection fail, as when a reply is lost on the way, and sends the same push again.
    let dropped = 0;
    const dropReplies: grpc.Interceptor = (options, nextCall) =>
      new grpc.InterceptingCall(nextCall(options), {
        start: (metadata, _listener, next) => {
          const drop = options.method_definition.path.endsWith('/Push') && dropped < 2;
          if (drop) dropped++;
          // The call ends UNAVAILABLE instead of OK: the client never sees the shard's answer.
          next(metadata, {
            onReceiveStatus: (status: grpc.StatusObject, forward: (status: grpc.StatusObject) => void) =>
              forward(drop ? { ...status, code: grpc.status.UNAVAILABLE, details: 'the reply was dropped on purpose' } : status),
          });
        },
      });
    let retries = 0;
    const server = await connectShards(addresses, { ...connect, interceptors: [dropReplies], retrying: () => retries++ });
    const gradient = Float32Array.from({ length: total }, (_, i) => Math.cos(i));
    const fresh = new Float32Array(total);
    const position = await server.push(gradient, 40, fresh);
    expect([dropped, retries]).toEqual([2, 2]);
    expect(states.map((state) => [state.updates, state.framesSeen])).toEqual([[1, 40], [1, 40]]);
    expect(position.framesSeen).toBe(40);
    expect(fresh[0]).toBeCloseTo(initial[0] - 0.01 * Math.max(-2, Math.min(2, gradient[0])), 6);
    expect(servers.map((shard) => shard.info().repeated)).toEqual([1, 1]);
    // The next push is a new one, applied.
    await server.push(gradient, 10, null);
    expect(states.map((state) => state.updates)).toEqual([2, 2]);
    server.close();
  });

  it('refuse calls without the secret or with a wrong one, and leave the parameters alone', async () => {
    const { initial, states, addresses } = await cluster(1);
    const push = encodeMessage(PushCodec, { model: modelIdentity(spec), frames: 10, gradient: new Uint8Array(4 * total), fetch: false });
    const none = await rawCall(addresses[0], 'push', push, new grpc.Metadata());
    expect(none?.code).toBe(grpc.status.UNAUTHENTICATED);
    const wrong = await rawCall(addresses[0], 'push', push, secretMetadata('not the secret'));
    expect(wrong?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(await rawCall(addresses[0], 'pull', new Uint8Array(0), secretMetadata('nope'))).toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    expect(Array.from(states[0].values)).toEqual(Array.from(initial));
    expect(servers[0].info().refused.unauthenticated).toBe(3);
    expect(states[0].updates).toBe(0);
  });

  it.each<[string, Compression]>([
    ['bf16', { kind: 'bf16' }],
    ['1bit', { kind: '1bit' }],
    ['topk:0.1', { kind: 'topk', fraction: 0.1 }],
  ])('apply a %s push as the gradient it decompresses to, and keep what it lost for the thread’s next push', async (_, compression) => {
    const { initial, addresses } = await cluster(2);
    const server = await connectShards(addresses, { ...connect, compression });
    const gradient = Float32Array.from({ length: total }, (_, i) => Math.sin(i) * 1.5);
    // What the client sends: each shard's piece compressed apart (1-bit blocks and top-k's count are per piece).
    const sent = new Float32Array(total);
    for (const shard of server.shards) {
      const piece = gradient.subarray(shard.offset, shard.offset + shard.length);
      const out = new Uint8Array(compressedBytes(compression, shard.length));
      const written = compress(compression, piece, out, 0, new Float32Array(shard.length));
      decompress(compression.kind, out, 0, written, sent.subarray(shard.offset, shard.offset + shard.length));
    }
    const fresh = new Float32Array(total);
    await server.push(gradient, 40, fresh, 3);
    const layout = layoutOf(spec);
    for (const slot of layout.tensors) {
      const factor = /\.(b|by|peephole)$/.test(slot.name) ? 0.5 : 1;
      for (let i = slot.offset; i < slot.offset + slot.size; i++) expect(fresh[i]).toBeCloseTo(initial[i] - 0.01 * factor * Math.max(-2, Math.min(2, sent[i])), 6);
    }
    const bytes = server.shards.reduce((sum, shard) => sum + compressedBytes(compression, shard.length), 0);
    expect(server.traffic()).toEqual({ bytes, pushes: 1, frames: 40 });
    expect((await server.infos()).reduce((sum, info) => sum + (info.received?.bytes ?? 0), 0)).toBe(bytes);
    // Thread 3's next push of a zero gradient sends what the first lost (error feedback); another thread's sends nothing.
    const before = new Float32Array(total);
    await server.pull(before);
    await server.push(new Float32Array(total), 0, null, 4);
    const unchanged = new Float32Array(total);
    await server.pull(unchanged);
    expect(unchanged).toEqual(before);
    await server.push(new Float32Array(total), 0, fresh, 3);
    const moved = fresh.reduce((sum, v, i) => sum + Math.abs(v - before[i]), 0);
    expect(moved).toBeGreaterThan(0);
    server.close();
  });

  it('hold a push more than --max-staleness ahead of the slowest thread until it catches up, or its worker leaves', async () => {
    const initial = initParameters(spec, 7, 0.1);
    const state = shardOf(spec, initial, 0, 1);
    servers = [await serveShard({ state, schedule, secret, listen: '127.0.0.1:0', maxStaleness: 1 })];
    const fast = await connectShards([servers[0].address], connect);
    const slow = await connectShards([servers[0].address], connect);
    const gradient = new Float32Array(total).fill(0.01);
    const waiting = () => servers[0].info().staleness?.waiting;
    await fast.push(gradient, 1, null);
    await slow.push(gradient, 1, null);
    await fast.push(gradient, 1, null); // 2 against 1: within the bound
    let answered = false;
    const ahead = fast.push(gradient, 1, null).then(() => (answered = true)); // 3 against 1: held
    while (waiting() !== 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(state.updates).toBe(4); // applied at once; only the reply waits
    expect(answered).toBe(false);
    await slow.push(gradient, 1, null); // the slowest at 2: 3 is within the bound
    await ahead;
    expect(waiting()).toBe(0);
    // Ahead again, then the slow worker is done: nothing holds the fast one back.
    const held = fast.push(gradient, 1, null); // 4 against 2: held
    while (waiting() !== 1) await new Promise((resolve) => setTimeout(resolve, 10));
    await slow.leave();
    await held;
    expect(servers[0].info().staleness).toEqual({ bound: 1, waiting: 0 });
    fast.close();
    slow.close();
  });

  it('drop a held reply whose call gave up: the push sent again is held once, not applied twice', async () => {
    const state = shardOf(spec, initParameters(spec, 7, 0.1), 0, 1);
    servers = [await serveShard({ state, schedule, secret, listen: '127.0.0.1:0', maxStaleness: 0 })];
    const fast = await connectShards([servers[0].address], { ...connect, deadlineMs: 300, retryForMs: 20_000 });
    const slow = await connectShards([servers[0].address], connect);
    const gradient = new Float32Array(total).fill(0.01);
    await fast.push(gradient, 1, null);
    await slow.push(gradient, 1, null);
    const ahead = fast.push(gradient, 1, null); // 2 against 1: held past its 300 ms deadline, sent again and again
    while ((servers[0].info().repeated ?? 0) < 2) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(servers[0].info().staleness?.waiting).toBe(1);
    expect(state.updates).toBe(3);
    await slow.push(gradient, 1, null);
    await ahead;
    expect(servers[0].info().staleness?.waiting).toBe(0);
    expect(state.updates).toBe(4);
    fast.close();
    slow.close();
  });

  it('refuse compressed gradients of the wrong size or with indices out of place, in words', async () => {
    const { initial, states, addresses } = await cluster(2);
    const model = modelIdentity(spec);
    const length = states[0].range.length;
    const pairs = (indices: number[]) => {
      const bytes = new Uint8Array(8 * indices.length);
      indices.forEach((index, p) => new DataView(bytes.buffer).setUint32(4 * p, index, true));
      return bytes;
    };
    const cases: [string, Uint8Array, RegExp][] = [
      ['bf16, a value short', encodeMessage(PushCodec, { model, frames: 1, gradient: new Uint8Array(2 * length - 2), fetch: false, encoding: 'bf16' }), /the gradient \d+ bytes of bf16 values, expected/],
      ['1bit, a byte long', encodeMessage(PushCodec, { model, frames: 1, gradient: new Uint8Array(compressedBytes({ kind: '1bit' }, length) + 1), fetch: false, encoding: '1bit' }), /1bit values, expected/],
      ['topk, an index past the slice', encodeMessage(PushCodec, { model, frames: 1, gradient: pairs([0, length]), fetch: false, encoding: 'topk' }), /index \d+ is past the \d+ values/],
      ['topk, indices out of order', encodeMessage(PushCodec, { model, frames: 1, gradient: pairs([2, 1]), fetch: false, encoding: 'topk' }), /not ascending/],
      ['an unknown encoding', plainMsgpack.pack({ model, frames: 1, gradient: new Uint8Array(4 * length), fetch: false, encoding: 'zip' }), /malformed message: .*encoding/],
    ];
    for (const [name, request, details] of cases) {
      const error = await rawCall(addresses[0], 'push', request, secretMetadata(secret));
      expect(error?.code, name).toBe(grpc.status.INVALID_ARGUMENT);
      expect(error?.details, name).toMatch(details);
    }
    expect(Array.from(states[0].values)).toEqual(Array.from(initial.subarray(0, length)));
  });

  it('refuse wrong sizes, NaN, garbage bytes and another model, counting each, parameters unchanged', async () => {
    const { initial, states, addresses } = await cluster(2);
    const model = modelIdentity(spec);
    const length = states[0].range.length;
    const pushOf = (gradient: Float32Array, forModel = model) =>
      encodeMessage(PushCodec, { model: forModel, frames: 10, gradient: new Uint8Array(gradient.buffer), fetch: true });
    const withNaN = new Float32Array(length).fill(0.1);
    withNaN[3] = NaN;
    const withInf = new Float32Array(length).fill(0.1);
    withInf[0] = -Infinity;
    const garbage = Uint8Array.from({ length: 300 }, (_, i) => (i * 37 + 11) % 256);
    const cases: [string, Uint8Array, grpc.status, RegExp][] = [
      ['short', pushOf(new Float32Array(length - 1)), grpc.status.INVALID_ARGUMENT, /gradient holds \d+ values, expected/],
      ['long', pushOf(new Float32Array(length + 1)), grpc.status.INVALID_ARGUMENT, /expected/],
      ['NaN', pushOf(withNaN), grpc.status.INVALID_ARGUMENT, /NaN or Inf/],
      ['Inf', pushOf(withInf), grpc.status.INVALID_ARGUMENT, /NaN or Inf/],
      ['garbage', garbage, grpc.status.INVALID_ARGUMENT, /malformed message/],
      ['truncated', pushOf(new Float32Array(length)).subarray(0, 40), grpc.status.INVALID_ARGUMENT, /malformed message: truncated/],
      ['empty', new Uint8Array(0), grpc.status.INVALID_ARGUMENT, /malformed message: truncated/],
      ['a map without a gradient', plainMsgpack.pack({ model, frames: 10, fetch: true }), grpc.status.INVALID_ARGUMENT, /malformed message: .*gradient/],
      ['a negative frame count', plainMsgpack.pack({ model, frames: -1, gradient: new Uint8Array(4 * length), fetch: true }), grpc.status.INVALID_ARGUMENT, /malformed message: .*frames/],
      ['another model', pushOf(new Float32Array(length), 'lstmp-0000000000000000'), grpc.status.FAILED_PRECONDITION, /serves model lstmp-/],
    ];
    for (const [name, request, code, details] of cases) {
      const error = await rawCall(addresses[0], 'push', request, secretMetadata(secret));
      expect(error?.code, name).toBe(code);
      expect(error?.details, name).toMatch(details);
    }
    expect(Array.from(states[0].values)).toEqual(Array.from(initial.subarray(0, length)));
    expect(states[0].updates).toBe(0);
    expect(servers[0].info().refused).toEqual({ 'wrong-size': 2, 'not-finite': 2, malformed: 5, 'wrong-model': 1 });
  });

  it('are refused by a client when they are not one model\'s every shard', async () => {
    const { addresses } = await cluster(2);
    await expect(connectShards([addresses[0]], connect)).rejects.toThrow(/not all 1 shards of one model/);
    await expect(connectShards([addresses[0], addresses[0]], connect)).rejects.toThrow(/not all 2 shards/);
  });

  it('are retried with backoff while a shard is down, and reached when it returns', async () => {
    const { states, addresses } = await cluster(1);
    const retries: string[] = [];
    const server = await connectShards(addresses, { ...connect, retryForMs: 20_000, retrying: (address) => retries.push(address) });
    await servers[0].close();
    setTimeout(() => void serveShard({ state: states[0], schedule, secret, listen: addresses[0] }).then((restarted) => (servers = [restarted])), 1_500);
    const position = await server.push(new Float32Array(total).fill(0.5), 5, null);
    expect(position.framesSeen).toBe(5);
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.every((address) => address === addresses[0])).toBe(true);
    server.close();
  });

  it('give up with a clear error when a shard stays away', async () => {
    await expect(connectShards(['127.0.0.1:1'], { ...connect, retryForMs: 500 })).rejects.toThrow(/shard 127\.0\.0\.1:1 unreachable for [\d.]+ s: connect ECONNREFUSED/);
  });

  it('serve over TLS when given a certificate', async () => {
    const tls = selfSigned();
    const { addresses } = await cluster(1, tls);
    const byName = addresses.map((address) => address.replace('127.0.0.1', 'localhost'));
    const server = await connectShards(byName, { ...connect, tlsRoots: tls.certificate });
    expect((await server.push(new Float32Array(total).fill(0.1), 3, null)).framesSeen).toBe(3);
    server.close();
  });

  // A client that retried these would retry for its whole retryFor (here longer than the test may take): never once.
  const patient = { ...connect, retryForMs: 3_600_000 };

  it('fail at once, naming TLS, when a plaintext client meets a TLS shard, and never retry', async () => {
    const { addresses } = await cluster(1, selfSigned());
    let retries = 0;
    await expect(connectShards(addresses, { ...patient, retrying: () => retries++ })).rejects.toThrow(/^shard 127\.0\.0\.1:\d+ serves TLS: connect over TLS, trusting its certificate or the CA that signed it \(--tls-ca\)$/);
    expect(retries).toBe(0);
  });

  it('fail at once, naming the certificate, when the client does not trust the shard\'s, and never retry', async () => {
    const { addresses } = await cluster(1, selfSigned());
    let retries = 0;
    await expect(connectShards(addresses, { ...patient, tlsRoots: selfSigned().certificate, retrying: () => retries++ })).rejects.toThrow(
      /^shard 127\.0\.0\.1:\d+: its TLS certificate is not trusted \(self-signed certificate\): give --tls-ca its certificate or the CA that signed it$/,
    );
    expect(retries).toBe(0);
  });

  it('fail at once, naming the handshake, when a TLS client meets a plaintext shard, and never retry', async () => {
    const { addresses } = await cluster(1);
    let retries = 0;
    await expect(connectShards(addresses, { ...patient, tlsRoots: selfSigned().certificate, retrying: () => retries++ })).rejects.toThrow(
      /^shard 127\.0\.0\.1:\d+: the TLS handshake failed \(wrong version number\): does the shard serve TLS \(lstmp ps --tls-cert\)\?$/,
    );
    expect(retries).toBe(0);
  });

  it('fail at once on a wrong secret, and never retry', async () => {
    const { addresses } = await cluster(1);
    let retries = 0;
    await expect(connectShards(addresses, { ...patient, secret: 'wrong secret!', retrying: () => retries++ })).rejects.toThrow(/refused the call: .*shared secret/);
    expect(retries).toBe(0);
  });

  it('retry an unreachable shard for the whole retryFor, and say so in one line', async () => {
    const error = await connectShards(['127.0.0.1:1'], { ...connect, retryForMs: 3_000 }).catch((thrown: Error) => thrown);
    const [, seconds] = /^shard 127\.0\.0\.1:1 unreachable for ([\d.]+) s: connect ECONNREFUSED 127\.0\.0\.1:1$/.exec((error as Error).message) ?? [];
    // At least the 3 s asked for (the retries stopped a wait early, at 1.5 s, and said 2 s).
    expect(Number(seconds)).toBeGreaterThanOrEqual(3);
  });
});

