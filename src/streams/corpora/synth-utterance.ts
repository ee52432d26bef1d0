import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { FRAMES_16K, segmentBoundaries, withMinimumDuration } from '../../model/corpus/alignment.js';
import { digitPhone } from '../../model/corpus/digits.js';
import { espeakPhones, flitePhones } from '../../model/corpus/phones.js';
import { phoneSegments, placeSegments, relabelSegments, timedSegments, withSilentTailsMoved, wordPhones, type PhoneSegment } from '../../model/synthesis/phone-segments.js';
import { espeakTemplateText, espeakVariantText, isTemplateVoice } from '../../model/synthesis/speakers.js';
import { STATES_PER_PHONE } from '../../model/corpus/states.js';
import { planSsml, planText, type UtterancePlan } from '../../model/synthesis/synth-plan.js';
import { frameCount } from '../../ops/dsp/fbank.js';
import { dbToAmplitude, meanPower, mixAtSnr, noise, peakAmplitude } from '../../ops/dsp/noise.js';
import { mulberry32 } from '../../ops/random.js';
import { resample } from '../../ops/dsp/resample.js';
import type { Espeak } from './espeak.js';
import type { Flite } from './flite.js';

/** SynthDigits audio is 16 kHz, the features' rate. */
export const SAMPLE_RATE = 16000;
/** eSpeak's silences are exact zeros; anything above ~−72 dBFS is sound. */
const SILENT_LEVEL = 8 / 32768;
/** Digital silence this long (s) at the end of a phone moves to the next segment... */
const SILENT_RUN_SECONDS = 0.005;
/** ...as long as the phone keeps this much (s): three frames' worth. */
const PHONE_KEEP_SECONDS = 0.03;

/** One synthesised utterance: its audio, where its phones are, its frames. */
export interface RenderedUtterance {
  readonly plan: UtterancePlan;
  /** The recording, 16 kHz: padded, scaled, with noise. */
  readonly samples: Float32Array;
  /** The same before noise was added. */
  readonly clean: Float32Array;
  /** Phones and silences over the whole recording, in 16 kHz samples. */
  readonly segments: readonly PhoneSegment[];
  /** frameCount(samples.length). */
  readonly frames: number;
  /** Segment k's frames are [boundaries[k], boundaries[k+1]), each at least 3 (when there are enough frames). */
  readonly boundaries: Int32Array;
  /** Each word's phones as spoken here, for the lexicon. */
  readonly wordPhones: readonly string[][];
}

/** The synthesizers a thread has loaded; an utterance needs the one its speaker speaks with. */
export interface Synthesizers {
  readonly espeak?: Espeak;
  readonly flite?: Flite;
}

/** What a synthesizer said for a plan: its audio at its own rate and the phone segments (digit phones) over it. */
interface Spoken {
  readonly raw: Float32Array;
  readonly rate: number;
  readonly segments: readonly PhoneSegment[];
}

/** Any phone a synthesizer says, in the digit inventory: its ARPAbet phones, each folded to the nearest digit phone. */
const toDigitPhones =
  (toArpabet: (phone: string) => E.Either<string, readonly string[]>) =>
  (phone: string): E.Either<string, readonly string[]> =>
    pipe(toArpabet(phone), E.chain(E.traverseArray(digitPhone)));

/**
 * eSpeak's phoneme events give the segments (at eSpeak's rate), stop
 * closures and pre-pause gaps moved into the stop and the pause; then IPA
 * becomes digit phones. A generated speaker's variant file is written first.
 */
function speakWithEspeak(espeak: Espeak, plan: UtterancePlan): E.Either<string, Spoken> {
  const { speaker } = plan;
  if (speaker.synthesizer !== 'espeak') return E.left(`${speaker.id} is not an eSpeak speaker`);
  if (speaker.params) {
    const { params } = speaker;
    espeak.addVariant(speaker.id, isTemplateVoice(params) ? espeakTemplateText(speaker.id, params, espeak.readVariant(params.template)) : espeakVariantText(speaker.id, params));
  }
  const speech = espeak.speak(planText(plan), { voice: speaker.voice, rate: plan.rate, pitch: plan.pitch, range: plan.range });
  const rate = speech.sampleRate;
  const raw = new Float32Array(speech.samples.length);
  for (let i = 0; i < raw.length; i++) raw[i] = speech.samples[i] / 32768;
  return pipe(
    phoneSegments(speech.events, raw.length, rate, plan.words.length),
    E.map((read) => withSilentTailsMoved(read, raw, SILENT_LEVEL, Math.round(SILENT_RUN_SECONDS * rate), Math.round(PHONE_KEEP_SECONDS * rate))),
    E.chain((segments) => relabelSegments(segments, toDigitPhones(espeakPhones))),
    E.map((segments) => ({ raw, rate, segments })),
  );
}

/** flite's own rate of speech, words per minute (SynthDigits draws rates around eSpeak's default of 175). */
const FLITE_RATE = 175;

/**
 * flite speaks the plan's SSML with the speaker's pitch and durations (the
 * plan's rate stretching them further, its pitch setting nudging the mean),
 * reports each phone's end time, and its phones are matched to the words.
 */
function speakWithFlite(flite: Flite, plan: UtterancePlan): E.Either<string, Spoken> {
  const { speaker } = plan;
  if (speaker.synthesizer !== 'flite') return E.left(`${speaker.id} is not a flite speaker`);
  const own = speaker.params;
  const durationStretch = (own?.durationStretch ?? 1) * Math.sqrt(FLITE_RATE / plan.rate);
  const f0Mean = own ? own.f0Mean * (0.9 + (0.2 * plan.pitch) / 100) : undefined;
  const speech = flite.speak(planSsml(plan), { voice: speaker.voice, durationStretch, f0Mean, f0Std: own?.f0Std });
  const words = plan.words.map((word) => flite.wordPhones(word, speaker.voice));
  return pipe(
    timedSegments(speech.segments, 'pau', speech.sampleRate, speech.samples.length, words),
    E.chain((segments) => relabelSegments(segments, toDigitPhones(flitePhones))),
    E.map((segments) => ({ raw: speech.samples, rate: speech.sampleRate, segments })),
  );
}

/**
 * Speaks `plan` with its speaker's synthesizer and labels it: the
 * synthesizer's phone segments in digit phones, the audio resampled to
 * 16 kHz, scaled to its peak level, padded with silence and mixed with
 * seeded noise at its SNR (speech power measured over the speech, not the
 * padding). Frames take the segment at their centre, then boundaries move
 * minimally so each phone has 3 frames for its 3 states.
 *
 * Throws on synthesizer output it cannot label (a bug, not bad input).
 */
export function renderUtterance(synthesizers: Synthesizers, plan: UtterancePlan): RenderedUtterance {
  const { synthesizer } = plan.speaker;
  const loaded = synthesizers[synthesizer];
  if (!loaded) throw new Error(`${plan.id}: ${synthesizer} is not loaded in this thread`);
  const said = synthesizer === 'espeak' ? speakWithEspeak(loaded as Espeak, plan) : speakWithFlite(loaded as Flite, plan);
  if (E.isLeft(said)) throw new Error(`${plan.id} (${plan.speaker.id}: ${plan.speaker.voice}, "${plan.words.join(' ')}"): ${said.left}`);
  const { raw, rate, segments: spoken } = said.right;

  const voice = rate === SAMPLE_RATE ? raw : resample(raw, rate, SAMPLE_RATE);
  const peak = peakAmplitude(voice);
  const gain = peak > 0 ? dbToAmplitude(plan.peakDb) / peak : 0;
  const lead = Math.round(plan.leadSeconds * SAMPLE_RATE);
  const total = lead + voice.length + Math.round(plan.trailSeconds * SAMPLE_RATE);
  const clean = new Float32Array(total);
  for (let i = 0; i < voice.length; i++) clean[lead + i] = voice[i] * gain;
  const samples = mixAtSnr(clean, noise(plan.noise, total, mulberry32(plan.noiseSeed)), plan.snrDb, meanPower(clean, lead, lead + voice.length));

  const segments = placeSegments(spoken, SAMPLE_RATE / rate, lead, total);
  const frames = frameCount(total);
  const boundaries = withMinimumDuration(
    segmentBoundaries(
      segments.map((s) => s.start),
      frames,
      FRAMES_16K,
    ),
    STATES_PER_PHONE,
  );
  return { plan, samples, clean, segments, frames, boundaries, wordPhones: wordPhones(spoken, plan.words.length) };
}
