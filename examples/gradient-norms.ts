/**
 * Example: watching the gradient chunk by chunk with a `tap`.
 *
 *     npx tsx examples/gradient-norms.ts [CORPUS_DIR]
 *
 * A `tap` between `bptt` and `sgd` sees every chunk's gradient before the
 * update is applied (the buffer is reused for the next chunk, so read it
 * there, or copy it). Here it logs the gradient's norm per tensor: how large
 * the steps are, which tensors move most, and whether clipping would bite.
 */
import { lastValueFrom, tap, toArray } from 'rxjs';
import { bptt, chunk, corpusStates, decodeModelConfig, decodeSchedule, delayTargets, features, initParameters, layoutOf, networkOf, orFail, sgd, utterances } from '../src/index.js';
import { runExample } from './run.js';

/** One chunk's gradient, measured. */
export interface GradientNorms {
  /** ‖∂L/∂θ‖ over every parameter */
  readonly total: number;
  /** per tensor name, e.g. 'layer0.Wr' */
  readonly tensors: Readonly<Record<string, number>>;
  /** the chunk's loss per frame */
  readonly loss: number;
}

export async function main({ corpus, log = () => {} }: { readonly corpus: string; readonly log?: (line: string) => void }): Promise<GradientNorms[]> {
  const config = orFail(decodeModelConfig({ inputs: 40, cells: 16, projection: 8, layers: 1, outputs: corpusStates(corpus).length }));
  const network = networkOf(config, initParameters(config, 1));
  const slots = layoutOf(config).tensors;
  const norms: GradientNorms[] = [];
  await lastValueFrom(
    utterances(corpus, { split: 'train' }).pipe(
      features({ normalisation: 'utterance' }),
      delayTargets(5),
      chunk({ streams: 4, steps: 20 }),
      bptt(network),
      tap(({ gradient, loss, frames }) => {
        const tensors: Record<string, number> = {};
        let total = 0;
        for (const slot of slots) {
          let sum = 0;
          for (let i = slot.offset; i < slot.offset + slot.size; i++) sum += gradient[i] * gradient[i];
          tensors[slot.name] = Math.sqrt(sum);
          total += sum;
        }
        norms.push({ total: Math.sqrt(total), tensors, loss: frames > 0 ? loss / frames : 0 });
        if (norms.length % 10 === 1) {
          const biggest = Object.entries(tensors).sort((a, b) => b[1] - a[1])[0];
          log(`chunk ${norms.length - 1}: loss ${(loss / Math.max(frames, 1)).toFixed(3)}/frame, ‖g‖ ${Math.sqrt(total).toFixed(2)}, largest ${biggest[0]} ${biggest[1].toFixed(2)}`);
        }
      }),
      sgd(network, orFail(decodeSchedule({ learningRate: 0.01 }))),
      toArray(),
    ),
  );
  return norms;
}

await runExample(
  import.meta.url,
  (corpus) => main({ corpus, log: (line) => console.log(line) }),
  (norms) => `${norms.length} chunks; gradient norm ${norms[0].total.toFixed(2)} at the start, ${norms.at(-1)!.total.toFixed(2)} at the end`,
);
