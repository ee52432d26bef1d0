import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { Observable } from 'rxjs';
import { FRAMES_16K, formatAlignmentLine, frameStates } from '../../model/corpus/alignment.js';
import { formatLexicon, lexicon } from '../../model/corpus/lexicon.js';
import { encodeManifest, type Split, type Utterance } from '../../model/corpus/manifest.js';
import { STATES_PER_PHONE, formatStates, phoneIndices, stateInventory } from '../../model/corpus/states.js';
import { DIGIT_PHONES } from '../../model/corpus/digits.js';
import { encodeSpeakers, generateSpeakers, holdOutBases, SYNTHESIZERS, trainingBases, type SpeakerSet, type SynthesizerName } from '../../model/synthesis/speakers.js';
import {
  DEFAULT_RANGES,
  DEFAULT_WEIGHTS,
  englishSpeakers,
  englishVoices,
  fliteSpeakers,
  holdOutSpeakers,
  planUtterance,
  type SynthesizerWeights,
  type SynthRanges,
  type UtterancePlan,
} from '../../model/synthesis/synth-plan.js';
import { mixSeed } from '../../ops/random.js';
import { FLITE_BASE_VOICES, FLITE_PACKAGE } from './flite.js';
import { makeDirectory, writeAtomic } from '../io/files.js';
import { SAMPLE_RATE } from './synth-utterance.js';
import { wavPath, type RenderRequest, type RenderedLabels, type SynthesisThreadReply, type SynthesisThreadSetup } from './synthesis-thread.js';
import { errorOf, startThread } from '../threads/thread.js';

/** What to generate: `utterances` utterances from `seed` into `dir`, on `threads` worker threads. */
export interface SynthOptions {
  readonly dir: string;
  readonly utterances: number;
  readonly seed: number;
  readonly threads: number;
  readonly ranges?: SynthRanges;
  /** generated speakers per synthesizer, or the synthesizers' stock voices (default: 800 generated) */
  readonly speakers?: number | 'stock';
  /** who speaks (default: eSpeak and flite) */
  readonly synthesizers?: readonly SynthesizerName[];
  /** how often each synthesizer speaks, relative to the others (default: {@link DEFAULT_WEIGHTS}) */
  readonly weights?: SynthesizerWeights;
  /** Fraction of eSpeak's stock speakers held out for test (stock voices only). */
  readonly testSpeakers?: number;
  /** with generated speakers: the stock voices of the training base voices speak train and dev utterances too */
  readonly withStock?: boolean;
}

/** Generated speakers per synthesizer when none are asked for. */
export const DEFAULT_SPEAKERS = 800;

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
  /** Speaker ids of each split (speakers.jsonl describes them); test's appear in no other. */
  readonly speakers: Readonly<Record<Split, readonly string[]>>;
  /** `generated` speakers (drawn voices) or the synthesizers' `stock` ones */
  readonly speakerSource: 'generated' | 'stock';
  /** Each synthesizer: its package and version, its base voices (and for eSpeak the stock variants), and the utterances it spoke. */
  readonly synthesizers: Partial<Record<SynthesizerName, { readonly package: string; readonly version: string; readonly voices: readonly string[]; readonly variants?: readonly string[]; readonly utterances: number }>>;
  readonly ranges: SynthRanges;
}

/** Progress of a generation: once started, after every utterance, and the finished corpus. */
export type SynthEvent =
  | { readonly type: 'started'; readonly total: number; readonly speakers: number; readonly threads: number }
  | { readonly type: 'progress'; readonly done: number; readonly total: number }
  | { readonly type: 'finished'; readonly corpus: CorpusInfo };

/** The eSpeak NG package (Emscripten build). */
const ESPEAK_PACKAGE = '@echogarden/espeak-ng-emscripten';
/**
 * flite recurses deeply on some utterances (a pause and six digits, say):
 * on a worker thread's default 4 MB stack it overflowed into a segmentation
 * fault that took the whole process down, within 20 utterances.
 */
const SYNTHESIS_STACK = { stackSizeMb: 16 };
/** Plans sent to a thread at a time; two batches are kept in flight so no thread waits. */
const BATCH = 4;

/**
 * The corpus's speakers: drawn (eSpeak from its English voices, flite from
 * its base voices) or the synthesizers' stock ones, each synthesizer's
 * held-out ones speaking the test split.
 */
function corpusSpeakers(options: SynthOptions, voices: readonly { identifier: string; languages: readonly string[] }[], variants: readonly string[]): SpeakerSet {
  const wanted = options.synthesizers ?? SYNTHESIZERS;
  const source = options.speakers ?? DEFAULT_SPEAKERS;
  const sets: SpeakerSet[] = wanted.map((synthesizer) => {
    if (source !== 'stock') {
      const bases = synthesizer === 'espeak' ? englishVoices(voices).map((v) => v.identifier) : [...FLITE_BASE_VOICES];
      // eSpeak's generated speakers are its own variants, moved (see generateSpeakers).
      const generated = generateSpeakers(options.seed, synthesizer, source, bases, synthesizer === 'espeak' ? variants : []);
      if (!options.withStock) return generated;
      // The test speakers stay the generated ones on held-out base voices: no stock voice of those bases speaks.
      const seen = new Set(trainingBases(options.seed, synthesizer, bases));
      const stock = synthesizer === 'espeak' ? englishSpeakers(voices, variants).filter((speaker) => seen.has(speaker.base)) : fliteSpeakers([...seen]);
      return { seen: [...generated.seen, ...stock], heldOut: generated.heldOut };
    }
    if (synthesizer === 'espeak') return holdOutSpeakers(englishSpeakers(voices, variants), options.seed, options.testSpeakers ?? 0.1);
    const { seen, heldOut } = holdOutBases(FLITE_BASE_VOICES, mixSeed(options.seed, -3));
    return { seen: fliteSpeakers(seen), heldOut: fliteSpeakers(heldOut) };
  });
  return { seen: sets.flatMap((set) => set.seen), heldOut: sets.flatMap((set) => set.heldOut) };
}

/**
 * Generates the SynthDigits corpus into `options.dir`: `wav/<id>.wav`,
 * `states.txt`, `lexicon.txt`, `alignments.txt`, `speakers.jsonl`,
 * `corpus.json` and, last, `manifest.jsonl`, every file written atomically.
 * Utterances are spread over worker threads, each running its own
 * synthesizers; utterance i depends only on (seed, i), so the corpus is
 * byte-identical whatever the thread count. Unsubscribing stops the threads.
 *
 * @example synthesizeCorpus({ dir: 'corpora/synthdigits', utterances: 3000, seed: 1, threads: 2 }).subscribe(render)
 */
export function synthesizeCorpus(options: SynthOptions): Observable<SynthEvent> {
  return new Observable<SynthEvent>((subscriber) => {
    makeDirectory(options.dir);
    makeDirectory(join(options.dir, 'wav'));
    const total = options.utterances;
    const setup: SynthesisThreadSetup = { synthesizers: options.synthesizers ?? SYNTHESIZERS, scratch: mkdtempSync(join(tmpdir(), 'lstmp-synth-')) };
    const threads = Array.from({ length: Math.max(1, Math.min(options.threads, total)) }, () => startThread('synthesis-thread', import.meta.url, setup, SYNTHESIS_STACK));
    const labels: RenderedLabels[] = new Array(total);
    let plans: UtterancePlan[] | undefined;
    let speakers: SpeakerSet = { seen: [], heldOut: [] };
    let voices: readonly string[] = [];
    let variants: readonly string[] = [];
    const versions: Partial<Record<SynthesizerName, string>> = {};
    const outstanding = new Map<Worker, number>();
    let next = 0;
    let done = 0;
    let stopped = false;
    const stop = (): void => {
      stopped = true;
      void Promise.all(threads.map((thread) => thread.terminate())).finally(() => rmSync(setup.scratch, { recursive: true, force: true }));
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
        subscriber.next({ type: 'finished', corpus: writeCorpusFiles(options, plans ?? [], labels, speakers, { voices, variants, versions }) });
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
            Object.assign(versions, reply.versions);
            speakers = corpusSpeakers(options, reply.voices, reply.variants);
            plans = Array.from({ length: total }, (_, i) => planUtterance(options.seed, i, speakers, options.ranges ?? DEFAULT_RANGES, options.weights ?? DEFAULT_WEIGHTS));
            subscriber.next({ type: 'started', total, speakers: speakers.seen.length + speakers.heldOut.length, threads: threads.length });
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

/** What the synthesis threads told of their synthesizers. */
interface SynthesizerFacts {
  readonly voices: readonly string[];
  readonly variants: readonly string[];
  readonly versions: Partial<Record<SynthesizerName, string>>;
}

function writeCorpusFiles(options: SynthOptions, plans: readonly UtterancePlan[], labels: readonly RenderedLabels[], speakers: SpeakerSet, facts: SynthesizerFacts): CorpusInfo {
  // Every SynthDigits corpus has the digit phones, whoever spoke: the same states, so models move between corpora.
  const inventory = stateInventory(DIGIT_PHONES);
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
  const spoken = (synthesizer: SynthesizerName) => plans.filter((plan) => plan.speaker.synthesizer === synthesizer).length;
  const synthesizers: CorpusInfo['synthesizers'] = {};
  for (const name of options.synthesizers ?? SYNTHESIZERS) {
    synthesizers[name] =
      name === 'espeak'
        ? { package: ESPEAK_PACKAGE, version: facts.versions.espeak ?? '', voices: facts.voices, ...((options.speakers === 'stock' || options.withStock) && { variants: facts.variants }), utterances: spoken(name) }
        : { package: FLITE_PACKAGE, version: facts.versions.flite ?? '', voices: [...FLITE_BASE_VOICES], utterances: spoken(name) };
  }
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
    speakerSource: options.speakers === 'stock' ? 'stock' : 'generated',
    synthesizers,
    ranges: options.ranges ?? DEFAULT_RANGES,
  };
  writeAtomic(join(options.dir, 'states.txt'), formatStates(inventory));
  writeAtomic(join(options.dir, 'lexicon.txt'), formatLexicon(pronunciations));
  writeAtomic(join(options.dir, 'alignments.txt'), alignments.join(''));
  writeAtomic(join(options.dir, 'speakers.jsonl'), encodeSpeakers(speakers));
  writeAtomic(join(options.dir, 'corpus.json'), `${JSON.stringify(info, null, 2)}\n`);
  writeAtomic(join(options.dir, 'manifest.jsonl'), encodeManifest(manifest));
  return info;
}
