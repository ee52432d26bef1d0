import * as E from 'fp-ts/lib/Either.js';
import { join } from 'node:path';
import { fail, orFail } from '../../errors.js';
import {
  addTrainingUtterance,
  decodingStatistics,
  estimateDecodingModel,
  type DecodingModel,
  type EstimationOptions,
} from '../../model/decoding/decoding-model.js';
import { parseLexicon } from '../../model/corpus/lexicon.js';
import { parseStates } from '../../model/corpus/states.js';
import { corpusEntries } from '../corpora/corpus.js';
import { readText } from '../io/files.js';

/**
 * The decoding model of a corpus directory, from its training split: state
 * counts and transition probabilities from alignments.txt, optional
 * silences from where the alignments pause, a bigram from the transcripts in
 * manifest.jsonl, the pronunciations of lexicon.txt, the phones of
 * states.txt (which must name states `phone_k`, silence first). The corpus
 * is read line by line; a bad file fails naming it. `alignments`: a file in
 * place of alignments.txt (a flat start's current alignment).
 *
 * @example saveCheckpoint(path, { ...checkpoint, priors: priorsOf(model), decoding: await corpusDecodingModel('corpora/synthdigits') })
 */
export async function corpusDecodingModel(dir: string, options: EstimationOptions = {}, alignments?: string): Promise<DecodingModel> {
  const statesPath = join(dir, 'states.txt');
  const lexiconPath = join(dir, 'lexicon.txt');
  const inventory = orFail(parseStates(readText(statesPath)), `${statesPath} (decoding needs "phone_k" states)`);
  const stats = decodingStatistics(inventory, orFail(parseLexicon(readText(lexiconPath)), lexiconPath));
  let utterances = 0;
  for await (const { utterance, alignment } of corpusEntries(dir, alignments)) {
    if (utterance.split !== 'train') continue;
    const added = addTrainingUtterance(stats, alignment, utterance.words);
    if (E.isLeft(added)) fail(`${dir}: utterance ${utterance.id}: ${added.left}`);
    utterances++;
  }
  if (utterances === 0) fail(`${join(dir, 'manifest.jsonl')}: no training utterances to estimate a decoding model from`);
  return estimateDecodingModel(stats, options);
}
