import { InvalidArgumentError, type Command } from 'commander';
import { availableParallelism } from 'node:os';
import { lastValueFrom, tap } from 'rxjs';
import { SYNTHESIZERS, type SynthesizerName } from '../model/synthesis/speakers.js';
import { DEFAULT_SPEAKERS, synthesizeCorpus, type CorpusInfo } from '../streams/corpora/synth.js';
import { fail } from '../errors.js';
import { integerOption, threadsOption } from './options.js';
import { progress, type Progress } from './progress.js';

/** Enough for a model to learn digits in minutes; about 25 s of generation on 2 cores. */
export const DEFAULT_UTTERANCES = 6000;

export interface SynthCommandOptions {
  out: string;
  utterances: number;
  seed: number;
  threads: number;
  speakers?: number | 'stock';
  synthesizers?: SynthesizerName[];
  withStock?: boolean;
  quiet?: boolean;
}

/** `--speakers`: a whole number of generated speakers per synthesizer, or `stock`; at least 2, since test speakers are drawn apart from training ones. */
function speakersOption(value: string): number | 'stock' {
  if (value.trim() === 'stock') return 'stock';
  return integerOption(2)(value);
}

/** `--synthesizers`: names from SYNTHESIZERS, comma-separated, each once. */
function synthesizersOption(value: string): SynthesizerName[] {
  const names = value.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!(SYNTHESIZERS as readonly string[]).includes(name)) throw new InvalidArgumentError(`expected synthesizers from ${SYNTHESIZERS.join(', ')}, got "${name}"`);
  }
  if (new Set(names).size !== names.length) throw new InvalidArgumentError(`a synthesizer named twice in "${value}"`);
  return names as SynthesizerName[];
}

function seedOption(value: string): number {
  const seed = integerOption(0)(value);
  if (seed > 0xffffffff) throw new InvalidArgumentError(`expected a whole number from 0 to 4294967295, got "${value}"`);
  return seed;
}

/** What a finished corpus holds, as the summary line and --json tell it. */
function corpusCounts(corpus: CorpusInfo): { frames: number; minutes: number; speakers: number; testSpeakers: number } {
  const frames = corpus.frames.train + corpus.frames.dev + corpus.frames.test;
  return {
    frames,
    minutes: frames / (100 * 60),
    speakers: new Set([...corpus.speakers.train, ...corpus.speakers.dev]).size,
    testSpeakers: corpus.speakers.test.length,
  };
}

/** One line about a finished corpus. */
export function describeCorpus(dir: string, corpus: CorpusInfo): string {
  const { train, dev, test } = corpus.utterances;
  const { minutes, speakers, testSpeakers } = corpusCounts(corpus);
  return (
    `${dir}: ${train + dev + test} utterances (train ${train}, dev ${dev}, test ${test}), ${minutes.toFixed(1)} min, ` +
    `${speakers} training speakers + ${testSpeakers} held out for test, ${corpus.phones.length} phones, ${corpus.states} states`
  );
}

/**
 * `lstmp synth`: generates the SynthDigits corpus (eSpeak NG digit strings,
 * labelled with HMM states) into a directory. Returns the corpus description
 * for callers (the main job) that go on to train on it.
 */
export async function runSynth(options: SynthCommandOptions): Promise<CorpusInfo> {
  // The bar starts once the directory is made, so refused input gets one line on stderr and nothing else.
  let bar: Progress | undefined;
  try {
    const finished = await lastValueFrom(
      synthesizeCorpus({ dir: options.out, utterances: options.utterances, seed: options.seed, threads: options.threads, speakers: options.speakers, synthesizers: options.synthesizers, withStock: options.withStock }).pipe(
        tap((event) => {
          if (event.type === 'started') bar = progress({ label: 'synth', total: event.total, unit: 'utterances', quiet: options.quiet });
          if (event.type === 'progress') bar?.update(event.done);
        }),
      ),
    );
    if (finished.type !== 'finished') throw new Error('synthesis ended without a corpus');
    return finished.corpus;
  } finally {
    bar?.stop();
  }
}

export function registerSynth(program: Command): void {
  program
    .command('synth')
    .description('generate the SynthDigits corpus: spoken digit strings from eSpeak NG and flite voices, with noise, state alignments and a lexicon')
    .requiredOption('--out <dir>', 'corpus directory (created; files in it are overwritten)')
    .option('--utterances <N>', 'number of utterances (80% train, 10% dev, 10% test)', integerOption(1), DEFAULT_UTTERANCES)
    .option('--seed <S>', 'random seed: the same seed gives a byte-identical corpus', seedOption, 1)
    .option('--threads <K>', 'worker threads', threadsOption, availableParallelism())
    .option('--speakers <N|stock>', `generated speakers per synthesizer (default: ${DEFAULT_SPEAKERS}), or "stock": the synthesizers' own voices`, speakersOption)
    .option('--with-stock', 'with generated speakers: the synthesizers\' stock voices of the training base voices speak train and dev utterances too (the test speakers stay the generated ones)')
    .option('--synthesizers <list>', `who speaks, comma-separated (default: ${SYNTHESIZERS.join(',')})`, synthesizersOption)
    .option('--quiet', 'print nothing but errors')
    .option('--json', 'no progress; print one JSON line {"utterances": {"train", "dev", "test"}, "frames", "minutes", "speakers", "testSpeakers", "phones", "states", "seconds", "out"}')
    .action(async (options: SynthCommandOptions & { json?: boolean }) => {
      if (options.withStock && options.speakers === 'stock') fail('--with-stock adds the stock voices to generated speakers: it goes with --speakers N, not --speakers stock');
      const began = performance.now();
      const corpus = await runSynth({ ...options, quiet: options.quiet || options.json });
      if (options.json) {
        const seconds = (performance.now() - began) / 1000;
        const line = { utterances: corpus.utterances, ...corpusCounts(corpus), phones: corpus.phones.length, states: corpus.states, seconds, out: options.out };
        process.stdout.write(`${JSON.stringify(line)}\n`);
      } else if (!options.quiet) process.stdout.write(`${describeCorpus(options.out, corpus)}\n`);
    });
}
