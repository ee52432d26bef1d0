import * as E from 'fp-ts/lib/Either.js';
import { filter, lastValueFrom, map, toArray } from 'rxjs';
import { mixSeed } from '../../ops/random.js';
import { waveformOf } from '../pipeline/waveforms.js';
import { utterances } from './corpus.js';

/** The seed stream babble talkers are chosen by, apart from the utterances' own draws. */
const BANK_STREAM = -4;

/**
 * The talkers babble noise is mixed from: `count` training utterances'
 * audio at 16 kHz, chosen by `seed` (a seeded shuffle of the split through a
 * bounded buffer), so every thread of a run, whatever their number, mixes
 * its babble from the same voices. Unreadable audio is passed over;
 * `alignments`: a file in place of the corpus's alignments.txt, as training reads.
 *
 * @example const bank = await babbleBank('corpora/synthdigits', 1, 32)
 */
export function babbleBank(corpus: string, seed: number, count: number, alignments?: string): Promise<Float32Array[]> {
  return lastValueFrom(
    utterances(corpus, { split: 'train', shuffle: { seed: mixSeed(seed, BANK_STREAM), buffer: 4 * count }, limit: count, alignments }).pipe(
      map((utterance) => waveformOf(utterance.wav)),
      filter(E.isRight),
      map((samples) => samples.right),
      toArray(),
    ),
  );
}
