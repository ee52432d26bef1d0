/**
 * Where a push goes: one worker pushing gradients of a network to its shards
 * over loopback gRPC, timed piece by piece, each --compress side by side.
 *
 *     npx tsx bench/push.ts [--shards 2] [--cells 256 --projection 128 --layers 2 --outputs 60] [--pushes 200]
 *
 * For each compression: the client's work per push (compression with error
 * feedback, MessagePack encoding), the shard's (decoding, the finiteness
 * check, the update), both measured alone on the same data in this process,
 * and the whole push as a worker sees it (sent, applied on every shard,
 * answered without values, as a push that does not fetch). What is left of
 * the whole after the parts is gRPC: framing, copies into sockets, the
 * event loop's turns on both sides. Shards run in this process, so the
 * figures share one core's time, as a worker and shards on one machine do.
 */
import { parseArgs } from 'node:util';
import { initParameters } from '../src/model/network/init.js';
import { layoutOf } from '../src/model/network/layout.js';
import type { ModelConfig } from '../src/model/network/config.js';
import type { Schedule } from '../src/model/network/schedule.js';
import { applyPush, segmentsOf, shardOf } from '../src/model/cluster/shard-state.js';
import { bytesIntoValues, decodeMessage, encodeMessage, PushCodec } from '../src/model/cluster/shard-messages.js';
import { compressedBytes, compressWithFeedback, decompress, type Compression } from '../src/ops/compression/compression.js';
import { allFinite } from '../src/ops/kernels/portable/update.js';
import { connectShards } from '../src/streams/cluster/parameter-client.js';
import { serveShard } from '../src/streams/cluster/parameter-server.js';
import { compressionName } from '../src/model/cluster/compression.js';
import { median } from '../src/ops/median.js';
import { littleEndianBytes } from '../src/ops/codecs/little-endian.js';

const { values } = parseArgs({
  options: {
    shards: { type: 'string', default: '2' },
    cells: { type: 'string', default: '256' },
    projection: { type: 'string', default: '128' },
    layers: { type: 'string', default: '2' },
    outputs: { type: 'string', default: '60' },
    pushes: { type: 'string', default: '200' },
  },
});
const config: ModelConfig = { inputs: 40, cells: Number(values.cells), projection: Number(values.projection), layers: Number(values.layers), outputs: Number(values.outputs), cellClip: 50, peepholes: true };
const shards = Number(values.shards);
const pushes = Number(values.pushes);
const total = layoutOf(config).size;
const schedule: Schedule = { learningRate: 1e-6, decay: 1, decayFrames: 1, biasRateFactor: 0.1, gradientClip: Infinity, momentum: 0 };
const secret = 'bench secret, not a secret';

/** Median milliseconds of `run` over `times` calls. */
function timed(times: number, run: () => void): number {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    run();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

const gradient = Float32Array.from({ length: total }, (_, i) => Math.sin(i * 0.37) * 1e-2);
const piece = Math.ceil(total / shards);
const rows: string[][] = [];
const kinds: Compression[] = [{ kind: 'f32' }, { kind: 'bf16' }, { kind: '1bit' }, { kind: 'topk', fraction: 0.01 }];
for (const compression of kinds) {
  // The parts, alone, on one shard's piece.
  const part = gradient.subarray(0, piece);
  const residual = new Float32Array(piece);
  const scratch = new Float32Array(piece);
  const out = new Uint8Array(compressedBytes(compression, piece));
  let bytes = littleEndianBytes(part);
  const compressMs = compression.kind === 'f32' ? 0 : timed(30, () => (bytes = out.subarray(0, compressWithFeedback(compression, part, residual, out, 0, scratch))));
  const message = () => encodeMessage(PushCodec, { model: 'm', frames: 80, gradient: bytes, fetch: false, id: { worker: 'w', thread: 0, sequence: 1 }, ...(compression.kind === 'f32' ? {} : { encoding: compression.kind }) });
  const encoded = message();
  const encodeMs = timed(30, message);
  const decodeMs = timed(30, () => decodeMessage(PushCodec, encoded));
  const target = new Float32Array(piece);
  const valuesMs = timed(30, () => (compression.kind === 'f32' ? bytesIntoValues(bytes, target) : decompress(compression.kind, bytes, 0, bytes.length, target)));
  const finiteMs = timed(30, () => allFinite(target));
  const state = shardOf(config, initParameters(config, 1, 0.1), 0, shards);
  const segments = segmentsOf(state, schedule);
  const updateMs = timed(30, () => applyPush(state, segments, schedule, target.subarray(0, state.range.length), 80));

  // The whole push, as a worker's main thread makes it.
  const servers = await Promise.all(
    Array.from({ length: shards }, (_, index) => serveShard({ state: shardOf(config, initParameters(config, 1, 0.1), index, shards), schedule, secret, listen: '127.0.0.1:0' })),
  );
  const client = await connectShards(servers.map((s) => s.address), { secret, deadlineMs: 60_000, retryForMs: 10_000, compression });
  for (let i = 0; i < 10; i++) await client.push(gradient, 80, null);
  const samples: number[] = [];
  for (let i = 0; i < pushes; i++) {
    const start = performance.now();
    await client.push(gradient, 80, null);
    samples.push(performance.now() - start);
  }
  const wholeMs = median(samples);
  client.close();
  await Promise.all(servers.map((s) => s.close()));
  // Every shard does its part of the work for each piece; the client compresses and encodes each piece.
  const parts = shards * (compressMs + encodeMs + decodeMs + valuesMs + finiteMs + updateMs);
  const ms = (x: number) => x.toFixed(2);
  rows.push([
    compressionName(compression),
    (compressedBytes(compression, piece) * shards / 1e6).toFixed(3),
    ms(shards * compressMs),
    ms(shards * encodeMs),
    ms(shards * decodeMs),
    ms(shards * valuesMs),
    ms(shards * finiteMs),
    ms(shards * updateMs),
    ms(Math.max(0, wholeMs - parts)),
    ms(wholeMs),
  ]);
}

const header = ['compress', 'MB a push', 'compress (ms)', 'encode', 'decode', 'into values', 'finite check', 'update', 'gRPC and the rest', 'whole push'];
process.stdout.write(`${total.toLocaleString('en-US')} parameters on ${shards} shard(s); medians over ${pushes} pushes (parts: of 30 runs alone, summed over the shards)\n\n`);
process.stdout.write(`| ${header.join(' | ')} |\n| ${header.map(() => '---').join(' | ')} |\n`);
for (const row of rows) process.stdout.write(`| ${row.join(' | ')} |\n`);
