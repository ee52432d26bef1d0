/**
 * Decoding speed, one thread: the Viterbi search alone on the graph of a
 * corpus's decoding model (scores made from the dev alignments, with noise,
 * so the search has real competition), at several beams; then, given a
 * checkpoint, the whole recognizer (features excluded: network forward,
 * scores, search) on dev utterances.
 *
 *     npx tsx bench/recognition.ts [--corpus corpora/synthdigits] [--checkpoint runs/demo/model.msgpack] [--utterances 100]
 */
import * as E from 'fp-ts/lib/Either.js';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compileGraph } from '../src/model/decoding/graph.js';
import { parseStates } from '../src/model/corpus/states.js';
import { mulberry32 } from '../src/ops/random.js';
import { viterbiSearch } from '../src/ops/search/viterbi.js';
import { loadCheckpoint } from '../src/streams/io/checkpoint-file.js';
import { corpusEntries } from '../src/streams/corpora/corpus.js';
import { corpusDecodingModel } from '../src/streams/recognition/corpus-decoding-model.js';
import { featuresOf } from '../src/streams/pipeline/features.js';
import { readBytes } from '../src/streams/io/files.js';
import { DEFAULT_RECOGNIZER_OPTIONS, recognizerOf } from '../src/streams/recognition/recognizer.js';

const { values } = parseArgs({
  options: { corpus: { type: 'string', default: 'corpora/synthdigits' }, checkpoint: { type: 'string' }, utterances: { type: 'string', default: '100' } },
});
const corpus = values.corpus as string;
const count = Number(values.utterances);

const model = await corpusDecodingModel(corpus);
const inventory = parseStates(new TextDecoder().decode(readBytes(join(corpus, 'states.txt'))));
if (E.isLeft(inventory)) throw new Error(inventory.left);
const graph = compileGraph(model, inventory.right);
if (E.isLeft(graph)) throw new Error(graph.left);
const S = inventory.right.names.length;
console.log(`graph: ${graph.right.outputs.length} nodes, ${graph.right.arcTarget.length} arcs, ${graph.right.words.length} words`);

const dev: { wav: string; alignment: Int32Array }[] = [];
for await (const { utterance, alignment } of corpusEntries(corpus)) {
  if (utterance.split !== 'dev') continue;
  dev.push({ wav: join(corpus, utterance.wav), alignment });
  if (dev.length === count) break;
}
const random = mulberry32(1);
const scoreSets = dev.map(({ alignment }) => {
  const scores = Float32Array.from({ length: alignment.length * S }, () => -4 - 4 * random());
  alignment.forEach((s, t) => (scores[t * S + s] = -random()));
  return scores;
});
const frames = dev.reduce((sum, u) => sum + u.alignment.length, 0);

for (const beam of [8, 16, 24]) {
  const search = viterbiSearch(graph.right, { beam, maxActive: 7000 });
  const began = performance.now();
  for (let i = 0; i < dev.length; i++) {
    search.advance(scoreSets[i], dev[i].alignment.length, S);
    search.finish();
  }
  const seconds = (performance.now() - began) / 1000;
  console.log(`search, beam ${beam}: ${Math.round(frames / seconds)} frames/s (${frames} frames)`);
}

if (values.checkpoint) {
  const checkpoint = loadCheckpoint(values.checkpoint);
  const made = recognizerOf(checkpoint.decoding ? checkpoint : { ...checkpoint, decoding: model, states: inventory.right.names.slice() }, DEFAULT_RECOGNIZER_OPTIONS);
  if (E.isLeft(made)) throw new Error(made.left);
  const recognizer = made.right;
  const inputs = dev.map(({ wav }) => {
    const m = featuresOf(readBytes(wav), recognizer.fbank, recognizer.normalisation);
    if (E.isLeft(m)) throw new Error(m.left);
    return { frames: m.right.frames, dim: m.right.bins, features: m.right.data };
  });
  let scoring = 0;
  const began = performance.now();
  for (const utterance of inputs) {
    const t0 = performance.now();
    recognizer.scores(utterance);
    scoring += performance.now() - t0;
    recognizer.recognize(utterance);
  }
  const seconds = (performance.now() - began) / 1000;
  const network = scoring / 1000;
  console.log(`recognizer (${checkpoint.config.cells}/${checkpoint.config.projection}×${checkpoint.config.layers}): ${Math.round(frames / (seconds - network))} frames/s end to end; network + scores alone ${Math.round(frames / network)} frames/s`);
}
