import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import type { UtterancePlan } from '../../model/synthesis/synth-plan.js';
import { encodeWav } from '../../ops/codecs/wav.js';
import { loadEspeak } from './espeak.js';
import { writeAtomic } from '../io/files.js';
import { SAMPLE_RATE, renderUtterance } from './synth-utterance.js';
import { threadFailure, type ThreadFailure } from '../threads/thread.js';

/** Main thread → worker: synthesise these utterances into `<dir>/wav/<id>.wav`. */
export interface RenderRequest {
  readonly dir: string;
  readonly plans: readonly UtterancePlan[];
}

/** What the main thread needs of one utterance to write the corpus's text files. */
export interface RenderedLabels {
  readonly index: number;
  readonly frames: number;
  /** Phone (or "sil") of each segment. */
  readonly phones: readonly string[];
  /** Segment k's frames are [boundaries[k], boundaries[k+1]). */
  readonly boundaries: Int32Array;
  readonly wordPhones: readonly string[][];
}

/** Synthesis thread → main thread. */
export type SynthesisThreadReply =
  | { readonly type: 'ready'; readonly voices: readonly { identifier: string; languages: readonly string[] }[]; readonly variants: readonly string[] }
  | { readonly type: 'rendered'; readonly labels: RenderedLabels }
  | ThreadFailure;

/** The wav path of an utterance, relative to the corpus directory. */
export function wavPath(id: string): string {
  return `wav/${id}.wav`;
}

/**
 * A SynthDigits synthesis thread: loads eSpeak once, says which voices it has,
 * then renders every batch of plans it is sent, writing each WAV itself and
 * replying with the labels. Speech depends only on the plan, so any thread
 * gives the same bytes.
 */
async function serve(port: NonNullable<typeof parentPort>): Promise<void> {
  const reply = (message: SynthesisThreadReply): void => port.postMessage(message);
  try {
    const espeak = await loadEspeak();
    port.on('message', (request: RenderRequest) => {
      try {
        for (const plan of request.plans) {
          const utterance = renderUtterance(espeak, plan);
          writeAtomic(join(request.dir, wavPath(plan.id)), encodeWav(utterance.samples, SAMPLE_RATE));
          reply({
            type: 'rendered',
            labels: {
              index: plan.index,
              frames: utterance.frames,
              phones: utterance.segments.map((s) => s.phone),
              boundaries: utterance.boundaries,
              wordPhones: utterance.wordPhones,
            },
          });
        }
      } catch (error) {
        reply(threadFailure(error));
      }
    });
    reply({ type: 'ready', voices: espeak.voices, variants: espeak.variants });
  } catch (error) {
    reply(threadFailure(error));
  }
}

if (parentPort) await serve(parentPort);
