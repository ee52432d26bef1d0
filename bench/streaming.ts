/**
 * Streaming recognition against batch, on a corpus split: each utterance fed
 * to a live recognition in blocks of --block-ms (as a microphone delivers
 * them), its finals compared with batch recognition of the whole file; the
 * share of utterances whose finals equal batch's words, the share that said
 * a partial result before their last block, each word's latency (the end of
 * its audio → its final: the audio heard since, plus the time taken by the
 * block that published it) and the real-time factor (one thread).
 *
 * A file ends where its speech does, but a microphone goes on: --pad-ms of
 * faint noise (−66 dBFS) follow each utterance, as they would live, so that
 * a final can come at its endpoint rather than at the end of the file (batch
 * recognition hears the same padded audio).
 *
 *     npx tsx bench/streaming.ts --checkpoint runs/demo/model.msgpack [--corpus corpora/synthdigits] [--split test] [--block-ms 100] [--endpoint-ms 500] [--pad-ms 1000]
 */
import * as E from 'fp-ts/lib/Either.js';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeWav, encodeWav } from '../src/ops/codecs/wav.js';
import { mulberry32 } from '../src/ops/random.js';
import { corpusEntries } from '../src/streams/corpora/corpus.js';
import { loadCheckpoint } from '../src/streams/io/checkpoint-file.js';
import { readBytes } from '../src/streams/io/files.js';
import { DEFAULT_ENDPOINT_MS, liveRecognition, type Hypothesis } from '../src/streams/recognition/live-recognition.js';
import { DEFAULT_RECOGNIZER_OPTIONS, recognizerOf } from '../src/streams/recognition/recognizer.js';

const { values } = parseArgs({
  options: {
    checkpoint: { type: 'string', default: 'runs/demo/model.msgpack' },
    corpus: { type: 'string', default: 'corpora/synthdigits' },
    split: { type: 'string', default: 'test' },
    'block-ms': { type: 'string', default: '100' },
    'endpoint-ms': { type: 'string', default: String(DEFAULT_ENDPOINT_MS) },
    'pad-ms': { type: 'string', default: '1000' },
    limit: { type: 'string' },
  },
});
const made = recognizerOf(loadCheckpoint(values.checkpoint as string), DEFAULT_RECOGNIZER_OPTIONS);
if (E.isLeft(made)) throw new Error(made.left);
const recognizer = made.right;
const endpointMs = Number(values['endpoint-ms']);
const limit = values.limit === undefined ? Infinity : Number(values.limit);

let utterances = 0;
let equal = 0;
let earlyPartial = 0;
let audioSeconds = 0;
let streamMs = 0;
let batchMs = 0;
let beforeEnd = 0;
let finals = 0;
const latencies: number[] = [];
const differing: string[] = [];
for await (const { utterance } of corpusEntries(values.corpus as string)) {
  if (utterance.split !== values.split || utterances >= limit) continue;
  const audio = decodeWav(readBytes(join(values.corpus as string, utterance.wav)));
  if (E.isLeft(audio)) throw new Error(`${utterance.id}: ${audio.left}`);
  const { sampleRate } = audio.right;
  const noise = mulberry32(utterances + 1);
  const pad = Math.round((Number(values['pad-ms']) / 1000) * sampleRate);
  const samples = new Float32Array(audio.right.samples.length + pad);
  samples.set(audio.right.samples);
  for (let n = audio.right.samples.length; n < samples.length; n++) samples[n] = 0.001 * (noise() - 0.5);
  const bytes = encodeWav(samples, sampleRate);
  const block = Math.round((Number(values['block-ms']) / 1000) * sampleRate);
  let t0 = performance.now();
  const batch = recognizer.recognizeWav(bytes);
  batchMs += performance.now() - t0;
  if (E.isLeft(batch)) throw new Error(batch.left);
  const live = liveRecognition(recognizer, { sampleRate, endpointMs });
  const events: { hypothesis: Hypothesis; last: boolean }[] = [];
  t0 = performance.now();
  for (let at = 0; at < samples.length; at += block) {
    for (const hypothesis of live.accept(samples.subarray(at, at + block))) events.push({ hypothesis, last: at + block >= samples.length });
  }
  for (const hypothesis of live.end()) events.push({ hypothesis, last: true });
  streamMs += performance.now() - t0;
  audioSeconds += samples.length / sampleRate;
  utterances++;
  const words = events.filter((e) => e.hypothesis.type === 'final').flatMap((e) => e.hypothesis.words);
  if (words.join(' ') === batch.right.words.join(' ')) equal++;
  else differing.push(`${utterance.id}: batch "${batch.right.words.join(' ')}", stream "${words.join(' ')}"`);
  if (events.some((e) => e.hypothesis.type === 'partial' && !e.last)) earlyPartial++;
  // Each word's end from batch recognition (the same words, the same path): its final's latency plus the audio between it and the final's last word.
  let w = 0;
  for (const { hypothesis, last } of events) {
    if (hypothesis.type !== 'final') continue;
    finals++;
    if (!last) beforeEnd++;
    for (let k = 0; k < hypothesis.words.length; k++, w++) {
      const end = w < batch.right.ends.length ? (batch.right.ends[w] * recognizer.fbank.frameShift) / recognizer.fbank.options.sampleRate : hypothesis.end;
      latencies.push(hypothesis.latencyMs + 1000 * (hypothesis.end - end));
    }
  }
}
latencies.sort((a, b) => a - b);
const quantile = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
const result = {
  utterances,
  finalsEqualBatch: equal,
  partialBeforeLastBlock: earlyPartial,
  finals,
  finalsBeforeTheEnd: beforeEnd,
  words: latencies.length,
  latencyMs: { median: Math.round(quantile(0.5)), p90: Math.round(quantile(0.9)), max: Math.round(latencies.at(-1) ?? 0) },
  realTimeFactor: { stream: Number((streamMs / 1000 / audioSeconds).toFixed(4)), batch: Number((batchMs / 1000 / audioSeconds).toFixed(4)) },
  blockMs: Number(values['block-ms']),
  endpointMs,
  padMs: Number(values['pad-ms']),
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
for (const line of differing) process.stdout.write(`differs: ${line}\n`);
