import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { Observable } from 'rxjs';
import { FRAMES_16K, formatAlignmentLine, frameStates } from '../../model/corpus/alignment.js';
import { formatLexicon, lexicon } from '../../model/corpus/lexicon.js';
import { encodeManifest, type Split, type Utterance } from '../../model/corpus/manifest.js';
import { STATES_PER_PHONE, formatStates, phoneIndices, stateInventory } from '../../model/corpus/states.js';
import { DEFAULT_RANGES, englishSpeakers, englishVoices, holdOutSpeakers, planUtterance, type SynthRanges, type UtterancePlan } from '../../model/synthesis/synth-plan.js';
import { makeDirectory, writeAtomic } from '../io/files.js';
import { SAMPLE_RATE } from './synth-utterance.js';
import { wavPath, type RenderRequest, type RenderedLabels, type SynthesisThreadReply } from './synthesis-thread.js';
import { errorOf, startThread } from '../threads/thread.js';

/** What to generate: `utterances` utterances from `seed` into `dir`, on `threads` worker threads. */
export interface SynthOptions {
  readonly dir: string;
  readonly utterances: number;
  readonly seed: number;
  readonly threads: number;
  readonly ranges?: SynthRanges;
  /** Fraction of speakers held out for test. */
  readonly testSpeakers?: number;
}

/** corpus.json: what the corpus is and how it was made. */
export interface CorpusInfo {
  readonly name: 'synthdigits';
  readonly seed: number;
  readonly sampleRate: number;
  /** Frame i covers samples [shift·i, shift·i + length) and is labelled by the phone at its centre. */
  readonly frameLength: number;
  readonly frameShift: number;
  readonly statesPerPhone: number;
  readonly states: number;
  readonly phones: readonly string[];
  readonly utterances: Readonly<Record<Split, number>>;
  readonly frames: Readonly<Record<Split, number>>;
  /** Speaker ids (eSpeak voice + variant) of each split; test's appear in no other. */
  readonly speakers: Readonly<Record<Split, readonly string[]>>;
  /** The eSpeak package, its English voices (file names) and the variants applied to each. */
  readonly synthesizer: { readonly package: string; readonly version: string; readonly voices: readonly string[]; readonly variants: readonly string[] };
  readonly ranges: SynthRanges;
}

/** Progress of a generation: once started, after every utterance, and the finished corpus. */
export type SynthEvent =
  | { readonly type: 'started'; readonly total: number; readonly speakers: number; readonly threads: number }
  | { readonly type: 'progress'; readonly done: number; readonly total: number }
  | { readonly type: 'finished'; readonly corpus: CorpusInfo };

const ESPEAK_PACKAGE = '@echogarden/espeak-ng-emscripten';
/** Plans sent to a thread at a time; two batches are kept in flight so no thread waits. */
const BATCH = 4;

/**
 * Generates the SynthDigits corpus into `options.dir`: `wav/<id>.wav`,
 * `states.txt`, `lexicon.txt`, `alignments.txt`, `corpus.json` and, last,
 * `manifest.jsonl`, every file written atomically. Utterances are spread over
 * worker threads, each running its own eSpeak; utterance i depends only on
 * (seed, i), so the corpus is byte-identical whatever the thread count.
 * Unsubscribing stops the threads.
 *
 * @example synthesizeCorpus({ dir: 'corpora/synthdigits', utterances: 3000, seed: 1, threads: 2 }).subscribe(render)
 */
export function synthesizeCorpus(options: SynthOptions): Observable<SynthEvent> {
  return new Observable<SynthEvent>((subscriber) => {
    makeDirectory(options.dir);
    makeDirectory(join(options.dir, 'wav'));
    const total = options.utterances;
    const threads = Array.from({ length: Math.max(1, Math.min(options.threads, total)) }, () => startThread('synthesis-thread', import.meta.url));
    const labels: RenderedLabels[] = new Array(total);
    let plans: UtterancePlan[] | undefined;
    let voices: readonly string[] = [];
    let variants: readonly string[] = [];
    const outstanding = new Map<Worker, number>();
    let next = 0;
    let done = 0;
    let stopped = false;
    const stop = (): void => {
      stopped = true;
      for (const thread of threads) void thread.terminate();
    };
    const dispatch = (thread: Worker): void => {
      if (!plans || next >= plans.length) return;
      const request: RenderRequest = { dir: options.dir, plans: plans.slice(next, next + BATCH) };
      next += request.plans.length;
      outstanding.set(thread, (outstanding.get(thread) ?? 0) + request.plans.length);
      thread.postMessage(request);
    };
    const finish = (): void => {
      stop();
      try {
        subscriber.next({ type: 'finished', corpus: writeCorpusFiles(options, plans ?? [], labels, voices, variants) });
        subscriber.complete();
      } catch (error) {
        subscriber.error(error);
      }
    };
    for (const thread of threads) {
      thread.on('message', (reply: SynthesisThreadReply) => {
        if (stopped) return;
        if (reply.type === 'failed') {
          stop();
          subscriber.error(errorOf(reply));
        } else if (reply.type === 'ready') {
          if (!plans) {
            voices = englishVoices(reply.voices).map((v) => v.identifier);
            variants = reply.variants;
            const speakers = englishSpeakers(reply.voices, reply.variants);
            const split = holdOutSpeakers(speakers, options.seed, options.testSpeakers ?? 0.1);
            plans = Array.from({ length: total }, (_, i) => planUtterance(options.seed, i, split, options.ranges ?? DEFAULT_RANGES));
            subscriber.next({ type: 'started', total, speakers: speakers.length, threads: threads.length });
            if (total === 0) return finish();
          }
          dispatch(thread);
          dispatch(thread);
        } else {
          labels[reply.labels.index] = reply.labels;
          done++;
          const left = (outstanding.get(thread) ?? 1) - 1;
          outstanding.set(thread, left);
          subscriber.next({ type: 'progress', done, total });
          if (done === total) finish();
          else if (left <= BATCH) dispatch(thread);
        }
      });
      thread.on('error', (error) => {
        if (stopped) return;
        stop();
        subscriber.error(error);
      });
      thread.on('exit', (code) => {
        if (stopped) return;
        stop();
        subscriber.error(new Error(`synthesis thread exited with code ${code}`));
      });
    }
    return () => {
      if (!stopped) stop();
    };
  });
}

function writeCorpusFiles(
  options: SynthOptions,
  plans: readonly UtterancePlan[],
  labels: readonly RenderedLabels[],
  voices: readonly string[],
  variants: readonly string[],
): CorpusInfo {
  const inventory = stateInventory(labels.flatMap((l) => l.phones));
  const phoneIndex = phoneIndices(inventory);
  const alignments = labels.map((l, i) => {
    const phones = l.phones.map((phone) => phoneIndex.get(phone) as number);
    return `${formatAlignmentLine(plans[i].id, frameStates(phones, l.boundaries))}\n`;
  });
  const pronunciations = lexicon(plans.flatMap((plan, i) => plan.words.map((word, k) => ({ word, phones: labels[i].wordPhones[k] }))));
  const manifest: Utterance[] = plans.map((plan, i) => ({
    id: plan.id,
    wav: wavPath(plan.id),
    words: [...plan.words],
    speaker: plan.speaker.id,
    split: plan.split,
    frames: labels[i].frames,
  }));
  const perSplit = <T>(of: (split: Split) => T): Record<Split, T> => ({ train: of('train'), dev: of('dev'), test: of('test') });
  const info: CorpusInfo = {
    name: 'synthdigits',
    seed: options.seed,
    sampleRate: SAMPLE_RATE,
    frameLength: FRAMES_16K.length,
    frameShift: FRAMES_16K.shift,
    statesPerPhone: STATES_PER_PHONE,
    states: inventory.names.length,
    phones: inventory.phones,
    utterances: perSplit((split) => manifest.filter((u) => u.split === split).length),
    frames: perSplit((split) => manifest.filter((u) => u.split === split).reduce((n, u) => n + u.frames, 0)),
    speakers: perSplit((split) => [...new Set(manifest.filter((u) => u.split === split).map((u) => u.speaker))].sort()),
    synthesizer: { package: ESPEAK_PACKAGE, version: espeakVersion(), voices, variants },
    ranges: options.ranges ?? DEFAULT_RANGES,
  };
  writeAtomic(join(options.dir, 'states.txt'), formatStates(inventory));
  writeAtomic(join(options.dir, 'lexicon.txt'), formatLexicon(pronunciations));
  writeAtomic(join(options.dir, 'alignments.txt'), alignments.join(''));
  writeAtomic(join(options.dir, 'corpus.json'), `${JSON.stringify(info, null, 2)}\n`);
  writeAtomic(join(options.dir, 'manifest.jsonl'), encodeManifest(manifest));
  return info;
}

function espeakVersion(): string {
  return (createRequire(import.meta.url)(`${ESPEAK_PACKAGE}/package.json`) as { version: string }).version;
}
