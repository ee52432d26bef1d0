import { resolve } from 'node:path';
import { lastValueFrom, of } from 'rxjs';
import { fail } from '../../errors.js';
import { corpusEntries } from './corpus.js';
import { features, type Normalisation } from '../pipeline/features.js';
import { readBytes } from '../io/files.js';
import type { LabelledUtterance } from '../pipeline/utterance.js';

/**
 * One utterance of a corpus, found by id in any split, as training sees it:
 * `bins` filterbank features normalised as given, its alignment as targets.
 * Reads the manifest up to that utterance and no further.
 *
 * @example const utterance = await findUtterance('corpora/synthdigits', 'dev-0042', { normalisation: 'utterance', bins: 40 })
 */
export async function findUtterance(corpus: string, id: string, options: { normalisation: Normalisation; bins: number }): Promise<LabelledUtterance> {
  for await (const { utterance, alignment } of corpusEntries(corpus)) {
    if (utterance.id !== id) continue;
    const source = resolve(corpus, utterance.wav);
    const audio = { id, source, wav: readBytes(source), alignment };
    return lastValueFrom(of(audio).pipe(features({ normalisation: options.normalisation, fbank: { bins: options.bins }, strict: true })));
  }
  return fail(`${corpus}: no utterance "${id}" in manifest.jsonl`);
}
