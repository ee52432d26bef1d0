import * as E from 'fp-ts/lib/Either.js';
import * as grpc from '@grpc/grpc-js';
import { randomInt } from 'node:crypto';
import { InputError } from '../../errors.js';
import { modelIdentity } from '../../model/network/identity.js';
import type { Schedule } from '../../model/network/schedule.js';
import { learningRateAt } from '../../model/network/schedule.js';
import { applyDelta, applyPush, segmentsOf, type ShardState } from '../../model/cluster/shard-state.js';
import { left, mayAnswer, pushed, stalenessGate } from '../../model/cluster/staleness.js';
import {
  bytesIntoValues,
  decodeMessage,
  encodeMessage,
  LeaveCodec,
  PullCodec,
  PushCodec,
  ShardInfoCodec,
  ShardValuesCodec,
  valuesToBytes,
  type Push,
  type ShardInfo,
} from '../../model/cluster/shard-messages.js';
import { compressChange, compressedBytes, compressedProblem, decompress } from '../../ops/compression/compression.js';
import { allFinite } from '../../ops/kernels/portable/update.js';
import { carriesSecret, channelOptions, ParameterShardService } from './parameter-service.js';

/**
 * Why gRPC could not bind, in words: `address already in use (EADDRINUSE)`
 * from `No address added out of total 1 resolved errors: [listen EADDRINUSE: address already in use 127.0.0.1:7070]`.
 */
function bindProblem(message: string): string {
  const cause = /errors: \[listen (E[A-Z]+): ([^\]]*?)(?: [^\s\]]+)?\]$/.exec(message);
  return cause ? `${cause[2]} (${cause[1]})` : message;
}

/** Why a call was refused; each is counted and reported by `Info`. */
export type Refusal = 'unauthenticated' | 'malformed' | 'wrong-model' | 'wrong-size' | 'not-finite';

export interface ShardServerOptions {
  /** the shard's slice and schedule position; updated in place by every accepted push */
  readonly state: ShardState;
  readonly schedule: Schedule;
  /** every call must carry it */
  readonly secret: string;
  /** HOST:PORT (port 0: any free port) */
  readonly listen: string;
  /** PEM certificate chain and private key: serve over TLS */
  readonly tls?: { readonly certificate: Uint8Array; readonly key: Uint8Array };
  /** told of every refused call, for the log */
  readonly refused?: (reason: Refusal, message: string) => void;
  /** bounded staleness: a push more than this many pushes ahead of the slowest worker thread waits for its reply (default: never) */
  readonly maxStaleness?: number;
  /** how long a worker thread may go unheard before it no longer holds the others back (default 20 s) */
  readonly silentMs?: number;
}

/**
 * A thread unheard from this long (its worker killed, or its machine gone) no longer holds the others
 * back: well inside a worker's call deadline (60 s by default), so a held reply is answered before
 * its call gives up.
 */
const SILENT_MS = 20_000;

/** Worker threads whose last answer a shard keeps a copy of (each its slice's size), for compressed answers. */
const COPIES_LIMIT = 64;

export interface ShardServer {
  /** the address actually bound (the port filled in when 0 was asked for) */
  readonly address: string;
  info(): ShardInfo;
  /** stops accepting calls and waits for those in flight */
  close(): Promise<void>;
}

/**
 * Serves one parameter-server shard over gRPC. A push is applied whole or not
 * at all: it is applied in one turn of the event loop, only after its message
 * has arrived entire and been checked (secret, model identity, size,
 * finiteness); anything else is refused with a status naming the problem,
 * counted, and never touches the parameters.
 *
 * @example
 * const server = await serveShard({ state: shardOf(config, initial, 0, 2), schedule, secret, listen: '127.0.0.1:0' })
 */
export async function serveShard(options: ShardServerOptions): Promise<ShardServer> {
  const { state, schedule, secret } = options;
  const model = modelIdentity(state.config);
  const segments = segmentsOf(state, schedule);
  const scratch = new Float32Array(state.range.length);
  // What each worker thread that asks for compressed answers holds, under the tag of the answer that
  // gave it (tags start at random, so that a restarted shard's never meet its predecessor's), and
  // working memory.
  const copies = new Map<string, { values: Float32Array; tag: number }>();
  let nextTag = 1 + randomInt(2 ** 47);
  const change = new Float32Array(state.range.length);
  const changeScratch = new Float32Array(state.range.length);
  // One buffer per compression answers are asked in (a few at most): the message is encoded from it at once.
  const answerBytes = new Map<string, Uint8Array>();
  const answerBuffer = (compression: NonNullable<Push['answerAs']>): Uint8Array => {
    const name = JSON.stringify(compression);
    let bytes = answerBytes.get(name);
    if (bytes) return bytes;
    if (answerBytes.size >= 4) answerBytes.clear();
    answerBytes.set(name, (bytes = new Uint8Array(compressedBytes(compression, state.values.length))));
    return bytes;
  };
  const refusals: Record<string, number> = {};
  let repeated = 0;
  const received = { bytes: 0, pushes: 0 };
  const gate = stalenessGate(options.maxStaleness ?? Infinity, options.silentMs ?? SILENT_MS);
  /** Replies held back by the staleness bound, each with the clock its push left its thread at. */
  let held: { clock: number; answer: () => void }[] = [];
  let closing = false;
  const release = (all = false) => {
    const now = Date.now();
    const going = held.filter((h) => all || mayAnswer(gate, h.clock, now));
    held = held.filter((h) => !going.includes(h));
    for (const h of going) h.answer();
  };
  let silence: NodeJS.Timeout | undefined;
  const where = `shard ${state.range.index}/${state.range.count}`;

  const info = (): ShardInfo => ({
    model,
    config: state.config,
    index: state.range.index,
    count: state.range.count,
    offset: state.range.offset,
    length: state.range.length,
    framesSeen: state.framesSeen,
    updates: state.updates,
    learningRate: learningRateAt(schedule, state.framesSeen),
    refused: { ...refusals },
    repeated,
    received: { ...received },
    ...(Number.isFinite(gate.bound) && { staleness: { bound: gate.bound, waiting: held.length } }),
    schedule,
  });
  const standing = () => ({ framesSeen: state.framesSeen, updates: state.updates, learningRate: learningRateAt(schedule, state.framesSeen) });
  const position = (withValues: boolean) => encodeMessage(ShardValuesCodec, { ...standing(), ...(withValues && { values: valuesToBytes(state.values) }) });
  /**
   * The answer to a fetching push whose thread asked for compressed answers: the change since the
   * values the thread holds, compressed, and the shard's copy of them moved by it, under a new tag.
   * Only when the push names the tag of the shard's copy (`since`) does the thread hold those values;
   * any other push (its first, after a restart of either side, a push sent again because its answer
   * was lost, a late duplicate of one whose retry was answered) gets the values whole, under a new
   * tag, and a thread that never takes that answer in names an old tag next time: whole again.
   */
  const answerOf = (push: Push) => {
    const compression = push.answerAs;
    if (!push.fetch || !push.id || !compression || compression.kind === 'f32') return position(push.fetch);
    const key = `${push.id.worker}/${push.id.thread}`;
    const held = copies.get(key);
    const holds = held !== undefined && push.since === held.tag;
    // Map order is the order threads were last answered: the longest unanswered makes room.
    copies.delete(key);
    if (!held && copies.size >= COPIES_LIMIT) copies.delete(copies.keys().next().value as string);
    const copy = held ?? { values: new Float32Array(state.values.length), tag: 0 };
    copies.set(key, copy);
    copy.tag = nextTag++;
    const bytes = answerBuffer(compression);
    // A change as large as the values (top-k of most of them) goes as the values.
    if (!holds || bytes.length >= 4 * state.values.length) {
      copy.values.set(state.values);
      return encodeMessage(ShardValuesCodec, { ...standing(), values: valuesToBytes(state.values), tag: copy.tag });
    }
    const written = compressChange(compression, state.values, copy.values, bytes, 0, change, changeScratch);
    return encodeMessage(ShardValuesCodec, { ...standing(), change: bytes.subarray(0, written), encoding: compression.kind, tag: copy.tag });
  };

  /** A push's gradient bytes, as they were compressed, into the shard's scratch values. */
  const gradientOf = (encoding: NonNullable<Push['encoding']>, bytes: Uint8Array): E.Either<string, Float32Array> => {
    if (encoding === 'f32') return bytesIntoValues(bytes, scratch);
    const problem = compressedProblem(encoding, bytes, 0, bytes.length, scratch.length);
    return problem === null ? E.right(decompress(encoding, bytes, 0, bytes.length, scratch)) : E.left(problem);
  };

  type Callback = grpc.sendUnaryData<Uint8Array>;
  const refuse = (callback: Callback, reason: Refusal, code: grpc.status, message: string) => {
    refusals[reason] = (refusals[reason] ?? 0) + 1;
    options.refused?.(reason, message);
    callback({ code, details: `${where}: ${message}` });
  };
  /** The call's message decoded, or null once the call has been refused. */
  const accepted = <A>(call: grpc.ServerUnaryCall<Uint8Array, Uint8Array>, callback: Callback, decoded: (bytes: Uint8Array) => E.Either<string, A>): A | null => {
    if (!carriesSecret(call.metadata, secret)) {
      refuse(callback, 'unauthenticated', grpc.status.UNAUTHENTICATED, 'the call does not carry the shared secret');
      return null;
    }
    const message = decoded(call.request);
    if (E.isLeft(message)) {
      refuse(callback, 'malformed', grpc.status.INVALID_ARGUMENT, `malformed message: ${message.left}`);
      return null;
    }
    return message.right;
  };
  const forThisModel = (callback: Callback, asked: string): boolean => {
    if (asked === model) return true;
    refuse(callback, 'wrong-model', grpc.status.FAILED_PRECONDITION, `this shard serves model ${model}, the call is for ${asked}`);
    return false;
  };

  const server = new grpc.Server(channelOptions(state.range.length));
  server.addService(ParameterShardService, {
    info: (call: grpc.ServerUnaryCall<Uint8Array, Uint8Array>, callback: Callback) => {
      if (accepted(call, callback, (bytes) => E.right(bytes)) !== null) callback(null, encodeMessage(ShardInfoCodec, info()));
    },
    push: (call: grpc.ServerUnaryCall<Uint8Array, Uint8Array>, callback: Callback) => {
      const push = accepted(call, callback, (bytes) => decodeMessage(PushCodec, bytes));
      if (push === null || !forThisModel(callback, push.model)) return;
      const what = push.pushed ?? 'gradient';
      const gradient = gradientOf(push.encoding ?? 'f32', push.gradient);
      if (E.isLeft(gradient)) return refuse(callback, 'wrong-size', grpc.status.INVALID_ARGUMENT, `the ${what} ${gradient.left}`);
      if (!allFinite(gradient.right)) return refuse(callback, 'not-finite', grpc.status.INVALID_ARGUMENT, `the ${what} holds NaN or Inf values`);
      // A push sent again because its reply was lost is answered, not applied again.
      const applied = what === 'delta' ? applyDelta(state, gradient.right, push.frames, push.updates ?? 1, push.id) : applyPush(state, segments, schedule, gradient.right, push.frames, push.id);
      if (applied) {
        received.bytes += push.gradient.length;
        received.pushes++;
      } else repeated++;
      const answer = () => callback(null, answerOf(push));
      if (!push.id || !Number.isFinite(gate.bound) || closing) return answer();
      const clock = pushed(gate, `${push.id.worker}/${push.id.thread}`, Date.now(), !applied);
      const entry = { clock, answer };
      held.push(entry);
      // A call that gives up (its deadline passed) is sent again; the held reply to it goes.
      call.on('cancelled', () => (held = held.filter((h) => h !== entry)));
      release();
    },
    leave: (call: grpc.ServerUnaryCall<Uint8Array, Uint8Array>, callback: Callback) => {
      const leave = accepted(call, callback, (bytes) => decodeMessage(LeaveCodec, bytes));
      if (leave === null || !forThisModel(callback, leave.model)) return;
      left(gate, leave.worker);
      release();
      for (const key of [...copies.keys()]) if (key.startsWith(`${leave.worker}/`)) copies.delete(key);
      callback(null, position(false));
    },
    pull: (call: grpc.ServerUnaryCall<Uint8Array, Uint8Array>, callback: Callback) => {
      const pull = accepted(call, callback, (bytes) => decodeMessage(PullCodec, bytes));
      if (pull !== null && forThisModel(callback, pull.model)) callback(null, position(true));
    },
  });

  const credentials = options.tls
    ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(options.tls.certificate), private_key: Buffer.from(options.tls.key) }])
    : grpc.ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(options.listen, credentials, (error, bound) => (error ? reject(new InputError(`cannot listen on ${options.listen}: ${bindProblem(error.message)}`)) : resolve(bound))),
  );
  // A thread gone silent releases those it held back.
  silence = setInterval(() => held.length > 0 && release(), 1000).unref();
  const host = options.listen.slice(0, options.listen.lastIndexOf(':'));
  return {
    address: `${host}:${port}`,
    info,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(silence);
        // Nothing waits on a shard that is stopping.
        closing = true;
        release(true);
        // Calls in flight finish; a peer that holds its connection open gets 5 s (a forced shutdown
        // never calls tryShutdown's callback).
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 5_000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
