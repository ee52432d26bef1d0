import type { Command } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import { join, resolve } from 'node:path';
import { orFail } from '../errors.js';
import { decodeSpeakers } from '../model/synthesis/speakers.js';
import { encodeWav } from '../ops/codecs/wav.js';
import { resample } from '../ops/dsp/resample.js';
import { voicesPage, type VoiceClip } from '../report/voices.js';
import { corpusEntries } from '../streams/corpora/corpus.js';
import { readBytes, readText, writeAtomic } from '../streams/io/files.js';
import { waveformOf, WAVEFORM_RATE } from '../streams/pipeline/waveforms.js';
import { peakAmplitude } from '../ops/dsp/noise.js';

/** Clips are this rate and at most this long: enough to hear a voice, small enough for 300 of them in one page. */
const CLIP_RATE = 11025;
const CLIP_SECONDS = 1.2;
/** Below this (peak-relative) a clip's start and end are the padding around the speech, cut off. */
const SPEECH_LEVEL = 0.05;

/** The speech of an utterance (its padding trimmed), at most CLIP_SECONDS, as a small WAV. */
function clipOf(samples: Float32Array): Uint8Array {
  const peak = peakAmplitude(samples);
  let start = 0;
  let end = samples.length;
  while (start < end && Math.abs(samples[start]) < SPEECH_LEVEL * peak) start++;
  while (end > start && Math.abs(samples[end - 1]) < SPEECH_LEVEL * peak) end--;
  const speech = samples.subarray(Math.max(0, start - 800), Math.min(samples.length, end + 800, start + CLIP_SECONDS * WAVEFORM_RATE));
  return encodeWav(resample(speech, WAVEFORM_RATE, CLIP_RATE), CLIP_RATE);
}

/**
 * `lstmp voices`: a page to hear a SynthDigits corpus's speakers (its
 * speakers.jsonl): a clip of each speaker's shortest utterance, its
 * parameters, and where the speakers lie.
 */
export function registerVoices(program: Command): void {
  program
    .command('voices')
    .description("a self-contained page to hear a synthesized corpus's speakers: a clip of each, its parameters, a map of them")
    .requiredOption('--corpus <DIR>', 'a corpus made by lstmp synth (it has speakers.jsonl)')
    .requiredOption('--out <voices.html>', 'the page to write')
    .action(async (options: { corpus: string; out: string }) => {
      const speakersPath = join(options.corpus, 'speakers.jsonl');
      const speakers = orFail(decodeSpeakers(readText(speakersPath)), speakersPath);
      // Each speaker's shortest utterance: the quickest clip to listen to.
      const shortest = new Map<string, { id: string; wav: string; words: readonly string[]; frames: number }>();
      for await (const { utterance } of corpusEntries(options.corpus, 'none')) {
        const known = shortest.get(utterance.speaker);
        if (!known || utterance.frames < known.frames) shortest.set(utterance.speaker, { id: utterance.id, wav: utterance.wav, words: utterance.words, frames: utterance.frames });
      }
      const clips = new Map<string, VoiceClip>();
      for (const [speaker, utterance] of shortest) {
        const samples = waveformOf(readBytes(resolve(options.corpus, utterance.wav)));
        if (E.isLeft(samples)) continue;
        clips.set(speaker, { utterance: utterance.id, words: utterance.words, wavBase64: Buffer.from(clipOf(samples.right)).toString('base64') });
      }
      writeAtomic(options.out, voicesPage({ corpus: options.corpus, speakers, clips }));
    });
}
