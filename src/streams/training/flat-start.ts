import * as E from 'fp-ts/lib/Either.js';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { concat, defer, endWith, exhaustMap, filter, from, ignoreElements, merge, mergeMap, share, Subject, takeUntil, toArray, type Observable } from 'rxjs';
import type { Checkpoint } from '../../model/formats/checkpoint.js';
import { formatAlignmentLine, spokenFrames } from '../../model/corpus/alignment.js';
import { parseLexicon } from '../../model/corpus/lexicon.js';
import { parseStates } from '../../model/corpus/states.js';
import { uniformAlignment } from '../../model/corpus/uniform.js';
import { priorsOf, realignmentModel } from '../../model/decoding/decoding-model.js';
import { orFail } from '../../errors.js';
import { coveringSpan, frameLogEnergies, speechSpan, widenSpan, type FrameSpan } from '../../ops/dsp/speech-span.js';
import { hashString } from '../../ops/random.js';
import type { Utterance } from '../../model/corpus/manifest.js';
import { waveformOf } from '../pipeline/waveforms.js';
import { corpusEntries, corpusStates } from '../corpora/corpus.js';
import { readText, writeAtomic } from '../io/files.js';
import { corpusDecodingModel } from '../recognition/corpus-decoding-model.js';
import { alignCorpus } from '../recognition/recognize-corpus.js';
import { DEFAULT_ALIGNER_OPTIONS } from '../recognition/aligner.js';
import { train, type TrainOptions } from './train.js';
import type { Position, TrainEvent } from './training-events.js';

/** What a flat start does besides training: its first, uniform alignment, and each realignment by the model. */
export type FlatStartEvent =
  | { readonly type: 'uniform'; readonly path: string; readonly utterances: number; readonly refused: readonly { readonly id: string; readonly reason: string }[] }
  | {
      readonly type: 'realigned';
      /** the frames the model that aligned had trained on */
      readonly framesSeen: number;
      readonly path: string;
      readonly aligned: number;
      /** utterances that kept their earlier alignment, with the reason this one failed */
      readonly kept: readonly { readonly id: string; readonly reason: string }[];
      /** the share of frames whose state the realignment left as it was: it nears 1 as alignment and model settle */
      readonly unchanged: number;
      readonly seconds: number;
    };

export interface FlatStartOptions {
  /** where the alignments go: `alignments-0.txt` (uniform), `alignments-1.txt`, … */
  readonly dir: string;
  /**
   * When the model realigns: every so many frames of training, or at these
   * seconds into a run with a time budget (where the frames ahead are not
   * known); each realignment takes the model of the first evaluation past
   * its point.
   */
  readonly realign: { readonly everyFrames: number } | { readonly atSeconds: readonly number[] };
  /** threads the realignment runs on (beside the training threads) */
  readonly alignThreads: number;
  /** the aligner's beam */
  readonly alignBeam: number;
  /** told the checkpoint extras (states, priors, decoding model) of the alignment training is on now */
  readonly extras?: (extras: Pick<Checkpoint, 'states' | 'priors' | 'decoding'>) => void;
}

/** Writes an alignments file: every manifest entry's line, in manifest order, as `line` gives it; returns how many. */
async function writeAlignments(corpus: string, path: string, line: (utterance: Utterance) => string | Promise<string>): Promise<number> {
  const lines: string[] = [];
  for await (const { utterance } of corpusEntries(corpus, 'none')) lines.push(`${await line(utterance)}\n`);
  writeAtomic(path, lines.join(''));
  return lines.length;
}

/** Where the speech is in an utterance's audio (speechSpan), or nothing when its audio cannot be read: training will say so. */
async function speechOf(path: string, frames: number): Promise<FrameSpan | undefined> {
  const samples = await readFile(path).then(waveformOf, () => E.left('unreadable'));
  return E.isRight(samples) ? speechSpan(frameLogEnergies(samples.right, frames)) : undefined;
}

/** The alignment lines of a file, by utterance id. */
function linesById(path: string): Map<string, string> {
  const byId = new Map<string, string>();
  for (const line of readText(path).split('\n')) {
    const id = line.trim().split(/\s+/, 1)[0];
    if (id) byId.set(id, line.trim());
  }
  return byId;
}

/** The states of an alignment line (after its id). */
const statesOf = (line: string | undefined): string[] => (line ? line.split(/\s+/).slice(1) : []);

/**
 * The extras a checkpoint needs to recognise and align (state names, priors,
 * the decoding model) estimated from the training split under `alignments`
 * (the corpus's own alignments.txt by default).
 */
export async function alignmentExtras(corpus: string, alignments?: string): Promise<Required<Pick<Checkpoint, 'states' | 'priors' | 'decoding'>>> {
  const decoding = await corpusDecodingModel(corpus, {}, alignments);
  return { states: corpusStates(corpus), priors: priorsOf(decoding), decoding };
}

/**
 * How far a realignment may put words outside the speech that energy finds
 * (speechSpan, which already takes a frame either side), in frames before
 * and after it; beyond, the frames are silence. Without the bound, each
 * realignment let the last phone run a few frames further into the silence
 * after it, and the model trained on that did the same again (on
 * SynthDigits, 3, 6 and then 9 frames past the speech's end, the median over
 * utterances). Weak onsets (f, th, s) start below the energy threshold, so
 * the slack is wider before: on SynthDigits the synthesizer's own phones
 * leave these bounds in 0.5 % of speech frames.
 */
export const SPEECH_SLACK = { before: 10, after: 5 } as const;

/**
 * GMM-free flat-start training (Senior, Heigold, Bacchiani & Liao, ICASSP
 * 2014) as a dataflow: the corpus's transcripts spread uniformly over their
 * frames (uniformAlignment, the silences over the quiet frames at either
 * end) are the first alignments; training consumes a
 * stream of alignments, and at the points `realign` sets the model it has
 * trained so far realigns every utterance (alignCorpus, on threads beside
 * training), which the training threads take from their next epoch on. An
 * utterance the model cannot align keeps its earlier alignment, and says
 * why. Emits training's events and the flat start's own.
 *
 * @example
 * flatStart(trainOptions, { dir: 'runs/mine', realign: { everyFrames: 1_000_000 }, alignThreads: 1, alignBeam: 40 }).subscribe(show)
 */
export function flatStart(options: Omit<TrainOptions, 'alignments'>, flat: FlatStartOptions): Observable<TrainEvent | FlatStartEvent> {
  return defer(() => {
    const lexiconPath = join(options.corpus, 'lexicon.txt');
    const lexicon = orFail(parseLexicon(readText(lexiconPath)), lexiconPath);
    const statesPath = join(options.corpus, 'states.txt');
    const inventory = orFail(parseStates(readText(statesPath)), `${statesPath} (a flat start needs "phone_k" states)`);
    const updates = new Subject<string>();
    const first = join(flat.dir, 'alignments-0.txt');
    let current = first;
    let round = 0;
    // The next realignment point: frames, or seconds into the run; the first evaluation past it realigns.
    let nextRealignment = 'everyFrames' in flat.realign ? flat.realign.everyFrames : (flat.realign.atSeconds[0] ?? Infinity);
    let realigned = 0;
    const due = (event: Position) => ('everyFrames' in flat.realign ? event.framesSeen : event.elapsed) >= nextRealignment;
    const advance = (event: Position) => {
      realigned++;
      nextRealignment = 'everyFrames' in flat.realign ? event.framesSeen + flat.realign.everyFrames : (flat.realign.atSeconds[realigned] ?? Infinity);
    };
    const refused: { id: string; reason: string }[] = [];
    // Where each utterance's words may lie in a realignment: its speech by energy, widened by SPEECH_SLACK.
    const speech = new Map<string, FrameSpan>();

    /** One realignment by a trained model: a new alignments file, its extras, and training told of it. Cancelled by unsubscribing. */
    const realign = (checkpoint: Checkpoint, framesSeen: number): Observable<FlatStartEvent> => {
      const began = performance.now();
      return from(alignmentExtras(options.corpus, current)).pipe(
        mergeMap((extras) =>
          alignCorpus(options.corpus, { ...checkpoint, ...extras, decoding: realignmentModel(extras.decoding) }, { ...DEFAULT_ALIGNER_OPTIONS, threads: flat.alignThreads, alignBeam: flat.alignBeam, speech }).pipe(toArray()),
        ),
        mergeMap(async (events): Promise<FlatStartEvent> => {
          const previous = linesById(current);
          const byId = new Map(events.map((event) => [event.id, event]));
          const kept: { id: string; reason: string }[] = [];
          let same = 0;
          let frames = 0;
          const path = join(flat.dir, `alignments-${++round}.txt`);
          const written = await writeAlignments(options.corpus, path, ({ id }) => {
            const event = byId.get(id);
            const before = previous.get(id) ?? id;
            if (event?.type !== 'aligned') {
              kept.push({ id, reason: event?.reason ?? 'not aligned' });
              return before;
            }
            const line = formatAlignmentLine(id, event.states).trim();
            const [old, now] = [statesOf(before), statesOf(line)];
            for (let t = 0; t < Math.min(old.length, now.length); t++) if (old[t] === now[t]) same++;
            frames += now.length;
            return line;
          });
          current = path;
          flat.extras?.(await alignmentExtras(options.corpus, current));
          updates.next(path);
          return { type: 'realigned', framesSeen, path, aligned: written - kept.length, kept, unchanged: frames > 0 ? same / frames : 0, seconds: (performance.now() - began) / 1000 };
        }),
      );
    };

    const start = defer(async (): Promise<FlatStartEvent> => {
      const utterances = await writeAlignments(options.corpus, first, async ({ id, words, frames, wav }) => {
        const span = await speechOf(resolve(options.corpus, wav), frames);
        const alignment = uniformAlignment(words, lexicon, inventory, frames, hashString(id), span);
        if (E.isRight(alignment)) {
          // The span widened, and never narrower than the words' frames in the uniform alignment (which fit them).
          const spoken = spokenFrames(alignment.right);
          if (span !== undefined && spoken !== undefined) speech.set(id, coveringSpan(widenSpan(span, SPEECH_SLACK, frames), spoken));
          return formatAlignmentLine(id, alignment.right).trim();
        }
        refused.push({ id, reason: alignment.left });
        return id;
      });
      flat.extras?.(await alignmentExtras(options.corpus, first));
      return { type: 'uniform', path: first, utterances, refused };
    });

    const training = train({ ...options, alignments: { initial: first, updates } }).pipe(share());
    const ended = training.pipe(ignoreElements(), endWith(true));
    // The model of the first evaluation past each realignment point realigns; evaluations during a realignment pass.
    const realignments = training.pipe(
      filter((event): event is Extract<TrainEvent, { type: 'evaluation' }> => event.type === 'evaluation' && due(event)),
      exhaustMap((event) => {
        advance(event);
        return realign(event.checkpoint, event.framesSeen);
      }),
      takeUntil(ended),
    );
    return concat(start, merge(training, realignments));
  });
}
