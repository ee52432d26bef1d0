import { createHash, timingSafeEqual } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';

/**
 * The parameter-server shard as a gRPC service: four unary methods whose
 * messages are MessagePack bytes (src/model/shard-messages.ts), so float32
 * data travels as binary and no .proto compiler is needed.
 *
 * - `Info`: what the shard serves and where its schedule stands;
 * - `Push`: a gradient piece to apply, answered with the shard's position (and values, when asked);
 * - `Pull`: the shard's values;
 * - `Leave`: a worker is done (under bounded staleness it holds no one back any more).
 */
function unary(name: string): grpc.MethodDefinition<Uint8Array, Uint8Array> {
  const serialize = (message: Uint8Array) => Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  const deserialize = (bytes: Buffer): Uint8Array => bytes;
  return {
    path: `/lstmp.ParameterShard/${name}`,
    requestStream: false,
    responseStream: false,
    requestSerialize: serialize,
    requestDeserialize: deserialize,
    responseSerialize: serialize,
    responseDeserialize: deserialize,
  };
}

export const ParameterShardService = {
  info: unary('Info'),
  push: unary('Push'),
  pull: unary('Pull'),
  leave: unary('Leave'),
} satisfies grpc.ServiceDefinition;

/** Room for a message's envelope (field names, the config in Info) beside its float32 data. */
const ENVELOPE_BYTES = 1 << 20;

/**
 * Channel settings for a shard of `values` float32 values, on both sides:
 * messages no larger than the shard's data needs (a runaway or hostile
 * message is refused by gRPC before it is buffered), keepalive pings so a
 * dead peer is noticed in seconds, and quick reconnection after a restart.
 */
export function channelOptions(values: number): grpc.ChannelOptions {
  const limit = 4 * values + ENVELOPE_BYTES;
  return {
    'grpc.max_receive_message_length': limit,
    'grpc.max_send_message_length': limit,
    'grpc.keepalive_time_ms': 10_000,
    'grpc.keepalive_timeout_ms': 5_000,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 5_000,
    // A receive window that holds a whole answer: no flow-control round trips inside one message
    // (1.7× the throughput of a one-thread worker with the 64 KiB default).
    'grpc-node.flow_control_window': limit,
    'grpc.initial_reconnect_backoff_ms': 200,
    'grpc.max_reconnect_backoff_ms': 2_000,
  };
}

/**
 * Silences gRPC's own log lines (`E No address added out of total 1
 * resolved`) beside lstmp's one-line errors, which say the same from the
 * call's status; GRPC_VERBOSITY, when set, still asks for them.
 */
export function quietGrpc(environment: NodeJS.ProcessEnv = process.env): void {
  if (environment.GRPC_VERBOSITY === undefined) grpc.setLogVerbosity(grpc.logVerbosity.NONE);
}

const SECRET_KEY = 'authorization';

/** Call metadata carrying the shared secret. */
export function secretMetadata(secret: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set(SECRET_KEY, `Bearer ${secret}`);
  return metadata;
}

/** True when a call's metadata carries `secret` (compared in constant time). */
export function carriesSecret(metadata: grpc.Metadata, secret: string): boolean {
  const [given] = metadata.get(SECRET_KEY);
  if (typeof given !== 'string') return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(`Bearer ${secret}`));
}
