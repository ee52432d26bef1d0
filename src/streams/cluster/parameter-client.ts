import * as E from 'fp-ts/lib/Either.js';
import * as grpc from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type * as t from 'io-ts';
import { fail, InputError } from '../../errors.js';
import { decodeModelConfig, type ModelConfig } from '../../model/network/config.js';
import { layoutOf } from '../../model/network/layout.js';
import { decodeSchedule, type Schedule } from '../../model/network/schedule.js';
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
  type Pushed,
  type ShardInfo,
  type ShardValues,
} from '../../model/cluster/shard-messages.js';
import { compressedBytes, compressedProblem, compressWithFeedback, decompress, type Compression } from '../../ops/compression/compression.js';
import { channelOptions, ParameterShardService, secretMetadata } from './parameter-service.js';

export interface ConnectOptions {
  readonly secret: string;
  /** PEM root certificate(s) the shards' TLS certificates are checked against: connect over TLS */
  readonly tlsRoots?: Uint8Array;
  /** how long one call may take */
  readonly deadlineMs: number;
  /** how long to keep retrying, with backoff, while a shard is unreachable */
  readonly retryForMs: number;
  /** told of each retry, for the log */
  readonly retrying?: (address: string, reason: string) => void;
  /** gRPC client interceptors every call goes through (tracing; a test drops replies with one) */
  readonly interceptors?: readonly grpc.Interceptor[];
  /** how pushes compress their gradients (float32 as they are by default), with error feedback per thread */
  readonly compression?: Compression;
}

/** What a client has pushed: the bytes of the gradients in its messages, how many pushes, the frames they summed. */
export interface Traffic {
  readonly bytes: number;
  readonly pushes: number;
  readonly frames: number;
}

/** Where the whole shared model stands, as the shards answered. */
export interface ServerPosition {
  /** frames seen, the most any shard has counted */
  readonly framesSeen: number;
  readonly updates: number;
  readonly learningRate: number;
}

/** A worker's or the cluster's handle on every shard of one model. */
export interface ParameterServerClient {
  readonly config: ModelConfig;
  readonly model: string;
  readonly shards: readonly ShardInfo[];
  /**
   * Pushes `gradient` (the whole vector, summed over `frames` frames) to the
   * shards, a piece to each, concurrently. With `into`, the shards answer with
   * their fresh values, which are written there. Each push carries an identity
   * (this client, `thread`, its number in the thread's pushes), so a push
   * sent again after its reply was lost is applied once; a thread's pushes
   * must go one at a time.
   */
  push(gradient: Float32Array, frames: number, into: Float32Array | null, thread?: number): Promise<ServerPosition>;
  /**
   * Pushes `delta`, what this worker's own SGD changed in the whole vector
   * over `frames` frames in `updates` steps, for the shards to add to their
   * values (local SGD); otherwise as {@link push}, compressed with error
   * feedback the same way. With `into`, it must hold the values the shards
   * last sent this thread: compressing, they answer with the change since,
   * which is added to it.
   */
  pushDelta(delta: Float32Array, frames: number, updates: number, into: Float32Array | null, thread?: number): Promise<ServerPosition>;
  /** the shards' learning-rate schedule, which a worker pushing deltas runs itself (null: the shards do not say) */
  readonly schedule: Schedule | null;
  /** every shard's values, written into `into` */
  pull(into: Float32Array): Promise<ServerPosition>;
  /** every shard's current info (counts, refusals) */
  infos(): Promise<ShardInfo[]>;
  /** the gradient bytes this client has pushed so far (all shards, retries not counted) */
  traffic(): Traffic;
  /**
   * Tells every shard this client's threads are done, so that under bounded
   * staleness they hold no one back. One attempt each: a shard that does not
   * answer forgets them once they have been silent long enough.
   */
  leave(): Promise<void>;
  close(): void;
}

/** Statuses worth retrying: the shard is down, restarting, or slow (unless the TLS handshake is what failed). */
const TRANSIENT = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.RESOURCE_EXHAUSTED]);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The cause in gRPC's details, as one line: its `Last error`, without the
 * resolution note, the time stamp, or OpenSSL's codes around its reason
 * (`…:SSL routines:ssl3_get_record:wrong version number:…` gives `wrong version number`).
 */
export function causeOf(details: string): string {
  const last = /Last error: (?:Error: )?([\s\S]*?)(?:\. Resolution note:[\s\S]*)?$/.exec(details)?.[1] ?? details;
  const line = last.split('\n')[0].replace(/ \(\d{4}-\d\d-\d\dT[^)]*\)$/, '');
  return /:SSL routines:[^:]*:([^:]+)/.exec(line)?.[1] ?? line;
}

const UNTRUSTED = /self[- ]signed certificate|unable to (?:get|verify)|certificate (?:has expired|is not yet valid|signature failure)|CERT_|does not match certificate|Hostname\/IP does not match/i;
const HANDSHAKE = /wrong version number|packet length too long|unknown protocol|SSL routines|EPROTO|handshake/i;

/**
 * Whether a server speaks TLS at `address`: what a plaintext client is told
 * when its connection fails for no reason it can see (the TLS server drops it).
 */
function speaksTls(address: string): Promise<boolean> {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolve) => {
    const socket = tlsConnect({ host, port: Number(address.slice(at + 1)), rejectUnauthorized: false, ALPNProtocols: ['h2'], ...(isIP(host) ? {} : { servername: host }) });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once('secureConnect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

/** One shard's client: typed calls, retried with backoff while the shard is unreachable. */
class ShardConnection {
  private readonly client: grpc.Client;

  constructor(
    readonly address: string,
    values: number,
    private readonly options: ConnectOptions,
  ) {
    const credentials = options.tlsRoots ? grpc.credentials.createSsl(Buffer.from(options.tlsRoots)) : grpc.credentials.createInsecure();
    this.client = new grpc.Client(address, credentials, { ...channelOptions(values), interceptors: [...(options.interceptors ?? [])] });
  }

  /** One attempt at a call, its reply as it came. */
  once(method: keyof typeof ParameterShardService, request: Uint8Array, deadlineMs = this.options.deadlineMs): Promise<Uint8Array> {
    const definition = ParameterShardService[method];
    return new Promise<Uint8Array>((resolve, reject) =>
      this.client.makeUnaryRequest(
        definition.path,
        definition.requestSerialize,
        definition.responseDeserialize,
        request,
        secretMetadata(this.options.secret),
        { deadline: Date.now() + deadlineMs },
        (error, response) => (error || !response ? reject(error) : resolve(response)),
      ),
    );
  }

  async call<A>(method: keyof typeof ParameterShardService, request: Uint8Array, codec: t.Decoder<unknown, A>): Promise<A> {
    const started = Date.now();
    for (let wait = 100; ; wait = Math.min(2 * wait, 5_000)) {
      try {
        const reply = await this.once(method, request);
        const decoded = decodeMessage(codec, reply);
        if (E.isLeft(decoded)) return fail(`shard ${this.address} answered with a malformed message: ${decoded.left}`);
        return decoded.right;
      } catch (error) {
        const status = error as grpc.ServiceError;
        if (error instanceof InputError || !TRANSIENT.has(status.code)) {
          throw error instanceof InputError ? error : new InputError(`shard ${this.address} refused the call: ${status.details ?? String(error)}`);
        }
        const cause = causeOf(status.details);
        // A certificate or handshake that failed fails again: final, and said as such.
        await this.refuseTls(cause);
        const elapsed = Date.now() - started;
        // At least --retry-for, in whole seconds (tenths below ten).
        const seconds = elapsed < 10_000 ? Math.floor(elapsed / 100) / 10 : Math.floor(elapsed / 1000);
        if (elapsed >= this.options.retryForMs) throw new InputError(`shard ${this.address} unreachable for ${seconds} s: ${cause}`);
        this.options.retrying?.(this.address, cause);
        await sleep(Math.min(wait, this.options.retryForMs - elapsed));
      }
    }
  }

  /** Throws the final error a TLS failure is, when `cause` (a connection that failed) is one. */
  private async refuseTls(cause: string): Promise<void> {
    if (this.options.tlsRoots) {
      if (UNTRUSTED.test(cause)) fail(`shard ${this.address}: its TLS certificate is not trusted (${cause}): give --tls-ca its certificate or the CA that signed it`);
      if (HANDSHAKE.test(cause)) fail(`shard ${this.address}: the TLS handshake failed (${cause}): does the shard serve TLS (lstmp ps --tls-cert)?`);
    } else if (/Failed to connect|ECONNRESET|socket hang up/i.test(cause) && (await speaksTls(this.address))) {
      fail(`shard ${this.address} serves TLS: connect over TLS, trusting its certificate or the CA that signed it (--tls-ca)`);
    }
  }

  close(): void {
    this.client.close();
  }
}

/**
 * Connects to the shards at `addresses` and checks they are one model's
 * every shard: the same identity and config, each index once, slices that
 * tile the parameter vector. Retries while shards are still starting.
 *
 * @example
 * const server = await connectShards(['10.0.0.1:7070', '10.0.0.2:7070'], { secret, deadlineMs: 30_000, retryForMs: 120_000 })
 */
export async function connectShards(addresses: readonly string[], options: ConnectOptions): Promise<ParameterServerClient> {
  // Info first over a channel with room for the config only; data channels are sized per shard after.
  const infos = await Promise.all(
    addresses.map(async (address) => {
      const probe = new ShardConnection(address, 0, options);
      try {
        return await probe.call('info', new Uint8Array(0), ShardInfoCodec);
      } finally {
        probe.close();
      }
    }),
  );
  const [first] = infos;
  const mismatch = infos.findIndex((info) => info.model !== first.model);
  if (mismatch >= 0) fail(`shards ${addresses[0]} and ${addresses[mismatch]} serve different models (${first.model}, ${infos[mismatch].model})`);
  const config = decodeModelConfig(first.config);
  if (E.isLeft(config)) return fail(`shard ${addresses[0]} serves a bad config: ${config.left}`);
  const total = layoutOf(config.right).size;
  const byIndex = [...infos].sort((a, b) => a.index - b.index);
  const tiles = byIndex.every((info, i) => info.index === i && info.count === infos.length && info.offset === (i === 0 ? 0 : byIndex[i - 1].offset + byIndex[i - 1].length));
  if (!tiles || byIndex[byIndex.length - 1].offset + byIndex[byIndex.length - 1].length !== total) {
    fail(`the shards at ${addresses.join(',')} are not all ${infos.length} shards of one model (they are ${infos.map((info) => `${info.index}/${info.count}`).join(', ')})`);
  }
  const model = first.model;
  // This client's name in its pushes' identities: new each time a worker starts, so a restarted
  // worker's pushes are never taken for its predecessor's.
  const worker = randomBytes(8).toString('hex');
  const sequences = new Map<number, number>();
  const compression = options.compression ?? { kind: 'f32' };
  // Error feedback: each thread's residual is what its pushes have not yet sent. One scratch and one
  // message buffer per shard serve every thread: a push's pieces are compressed before its first await.
  const residuals = new Map<number, Float32Array>();
  const scratch = new Float32Array(compression.kind === 'f32' ? 0 : total);
  // Where compressed answers are decoded before they are added to the values they change.
  const changes = new Float32Array(compression.kind === 'f32' ? 0 : total);
  const compressed = infos.map((info) => new Uint8Array(compression.kind === 'f32' ? 0 : compressedBytes(compression, info.length)));
  const traffic = { bytes: 0, pushes: 0, frames: 0 };
  const pieceOf = (gradient: Float32Array, thread: number, i: number): Uint8Array => {
    const { offset, length } = infos[i];
    if (compression.kind === 'f32') return valuesToBytes(gradient.subarray(offset, offset + length));
    let residual = residuals.get(thread);
    if (!residual) residuals.set(thread, (residual = new Float32Array(total)));
    const written = compressWithFeedback(compression, gradient.subarray(offset, offset + length), residual.subarray(offset, offset + length), compressed[i], 0, scratch.subarray(offset, offset + length));
    return compressed[i].subarray(0, written);
  };
  const encoding = compression.kind === 'f32' ? {} : { encoding: compression.kind };
  const connections = infos.map((info, i) => new ShardConnection(addresses[i], info.length, options));
  const positionOf = (replies: readonly ShardValues[]): ServerPosition => ({
    framesSeen: Math.max(...replies.map((reply) => reply.framesSeen)),
    updates: Math.max(...replies.map((reply) => reply.updates)),
    learningRate: replies[0].learningRate,
  });
  // The tag of the answer whose values each thread holds, shard by shard (compressed answers).
  const tags = new Map<number, number[]>();
  const store = (reply: ShardValues, info: ShardInfo, into: Float32Array | null, address: string, thread: number, shard: number) => {
    if (!into) return;
    if (reply.tag !== undefined) {
      if (!tags.has(thread)) tags.set(thread, new Array<number>(infos.length).fill(0));
      tags.get(thread)![shard] = reply.tag;
    }
    const slice = into.subarray(info.offset, info.offset + info.length);
    if (reply.change && reply.encoding) {
      const problem = compressedProblem(reply.encoding, reply.change, 0, reply.change.length, info.length);
      if (problem) fail(`shard ${address} answered with a change that does not fit: ${problem}`);
      const change = decompress(reply.encoding, reply.change, 0, reply.change.length, changes.subarray(info.offset, info.offset + info.length));
      for (let i = 0; i < slice.length; i++) slice[i] += change[i];
      return;
    }
    if (!reply.values) return fail(`shard ${address} answered without its values`);
    const written = bytesIntoValues(reply.values, slice);
    if (E.isLeft(written)) fail(`shard ${address} answered with values that do not fit: ${written.left}`);
  };

  const send = async (pushed: Pushed, vector: Float32Array, frames: number, into: Float32Array | null, thread: number, updates = 1): Promise<ServerPosition> => {
    const sequence = (sequences.get(thread) ?? 0) + 1;
    sequences.set(thread, sequence);
    const id = { worker, thread, sequence };
    traffic.pushes++;
    traffic.frames += frames;
    // Deltas fetch into the worker's copy of the shards' values, which a compressed change can update.
    const compressedAnswers = pushed === 'delta' && into !== null && compression.kind !== 'f32';
    const kind = pushed === 'delta' ? { pushed, updates, ...(compressedAnswers && { answerAs: compression }) } : {};
    return positionOf(
      await Promise.all(
        connections.map(async (connection, i) => {
          const info = infos[i];
          const piece = pieceOf(vector, thread, i);
          traffic.bytes += piece.length;
          const since = compressedAnswers ? { since: tags.get(thread)?.[i] ?? 0 } : {};
          const reply = await connection.call('push', encodeMessage(PushCodec, { model, frames, gradient: piece, fetch: into !== null, id, ...encoding, ...kind, ...since }), ShardValuesCodec);
          store(reply, info, into, connection.address, thread, i);
          return reply;
        }),
      ),
    );
  };
  const scheduleOf = (info: ShardInfo) => JSON.stringify(info.schedule ?? null);
  const disagree = infos.findIndex((info) => scheduleOf(info) !== scheduleOf(first));
  if (disagree >= 0) fail(`shards ${addresses[0]} and ${addresses[disagree]} run different schedules (${scheduleOf(first)}, ${scheduleOf(infos[disagree])}): give every shard the same schedule options`);
  const schedule = first.schedule === undefined ? null : decodeSchedule(first.schedule);
  if (schedule && E.isLeft(schedule)) return fail(`shard ${addresses[0]} serves a bad schedule: ${schedule.left}`);

  return {
    config: config.right,
    model,
    shards: infos,
    schedule: schedule ? schedule.right : null,
    push: (gradient, frames, into, thread = 0) => send('gradient', gradient, frames, into, thread),
    pushDelta: (delta, frames, updates, into, thread = 0) => send('delta', delta, frames, into, thread, updates),
    pull: async (into) =>
      positionOf(
        await Promise.all(
          connections.map(async (connection, i) => {
            const reply = await connection.call('pull', encodeMessage(PullCodec, { model }), ShardValuesCodec);
            store(reply, infos[i], into, connection.address, -1, i);
            return reply;
          }),
        ),
      ),
    infos: () => Promise.all(connections.map((connection) => connection.call('info', new Uint8Array(0), ShardInfoCodec))),
    traffic: () => ({ ...traffic }),
    leave: async () => {
      const request = encodeMessage(LeaveCodec, { model, worker });
      await Promise.all(connections.map((connection) => connection.once('leave', request, 5_000).catch(() => undefined)));
    },
    close: () => connections.forEach((connection) => connection.close()),
  };
}
