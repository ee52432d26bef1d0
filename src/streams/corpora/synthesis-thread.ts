import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { UtterancePlan } from '../../model/synthesis/synth-plan.js';
import { encodeWav } from '../../ops/codecs/wav.js';
import type { SynthesizerName } from '../../model/synthesis/speakers.js';
import { loadEspeak } from './espeak.js';
import { loadFlite } from './flite.js';
import { writeAtomic } from '../io/files.js';
import { SAMPLE_RATE, renderUtterance } from './synth-utterance.js';
import { threadFailure, type ThreadFailure } from '../threads/thread.js';

/** What a synthesis thread loads. */
export interface SynthesisThreadSetup {
  readonly synthesizers: readonly SynthesizerName[];
  /** where flite keeps its files; the main thread removes it once the threads have ended */
  readonly scratch: string;
}

/** Main thread → synthesis thread: synthesise these utterances into `<dir>/wav/<id>.wav`. */
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
  | {
      readonly type: 'ready';
      /** eSpeak's voices and variants (none without eSpeak), and each loaded synthesizer's version */
      readonly voices: readonly { identifier: string; languages: readonly string[] }[];
      readonly variants: readonly string[];
      readonly versions: Partial<Record<SynthesizerName, string>>;
    }
  | { readonly type: 'rendered'; readonly labels: RenderedLabels }
  | ThreadFailure;

/** The wav path of an utterance, relative to the corpus directory. */
export function wavPath(id: string): string {
  return `wav/${id}.wav`;
}

/**
 * A SynthDigits synthesis thread: loads its synthesizers once, says which voices eSpeak has,
 * then renders every batch of plans it is sent, writing each WAV itself and
 * replying with the labels. Speech depends only on the plan, so any thread
 * gives the same bytes.
 */
async function serve(port: NonNullable<typeof parentPort>): Promise<void> {
  const reply = (message: SynthesisThreadReply): void => port.postMessage(message);
  try {
    const setup = workerData as SynthesisThreadSetup;
    const espeak = setup.synthesizers.includes('espeak') ? await loadEspeak() : undefined;
    const flite = setup.synthesizers.includes('flite') ? await loadFlite(setup.scratch) : undefined;
    port.on('message', (request: RenderRequest) => {
      try {
        for (const plan of request.plans) {
          const utterance = renderUtterance({ espeak, flite }, plan);
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
    reply({ type: 'ready', voices: espeak?.voices ?? [], variants: espeak?.variants ?? [], versions: { ...(espeak && { espeak: espeak.version }), ...(flite && { flite: flite.version }) } });
  } catch (error) {
    reply(threadFailure(error));
  }
}

if (parentPort) await serve(parentPort);
