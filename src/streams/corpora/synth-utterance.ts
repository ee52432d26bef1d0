import * as E from 'fp-ts/lib/Either.js';
import { FRAMES_16K, segmentBoundaries, withMinimumDuration } from '../../model/corpus/alignment.js';
import { phoneSegments, placeSegments, withSilentTailsMoved, wordPhones, type PhoneSegment } from '../../model/synthesis/phone-segments.js';
import { STATES_PER_PHONE } from '../../model/corpus/states.js';
import { planText, type UtterancePlan } from '../../model/synthesis/synth-plan.js';
import { frameCount } from '../../ops/dsp/fbank.js';
import { dbToAmplitude, meanPower, mixAtSnr, noise, peakAmplitude } from '../../ops/dsp/noise.js';
import { mulberry32 } from '../../ops/random.js';
import { resample } from '../../ops/dsp/resample.js';
import type { Espeak } from './espeak.js';

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

/**
 * Speaks `plan` and labels it: eSpeak's phoneme events give the phone
 * segments (at eSpeak's rate; stop closures moved into the stop), the audio
 * is resampled to 16 kHz, scaled to its peak level, padded with silence and
 * mixed with seeded noise at its SNR (speech power measured over the speech,
 * not the padding). Frames take the segment at their centre, then boundaries
 * move minimally so each phone has 3 frames for its 3 states.
 *
 * Throws on eSpeak output it cannot label (a bug, not bad input).
 */
export function renderUtterance(espeak: Espeak, plan: UtterancePlan): RenderedUtterance {
  const speech = espeak.speak(planText(plan), { voice: plan.speaker.voice, rate: plan.rate, pitch: plan.pitch, range: plan.range });
  const rate = speech.sampleRate;
  const raw = new Float32Array(speech.samples.length);
  for (let i = 0; i < raw.length; i++) raw[i] = speech.samples[i] / 32768;
  const read = phoneSegments(speech.events, raw.length, rate, plan.words.length);
  if (E.isLeft(read)) throw new Error(`${plan.id} (${plan.speaker.voice}, "${plan.words.join(' ')}"): ${read.left}`);
  const spoken = withSilentTailsMoved(
    read.right,
    raw,
    SILENT_LEVEL,
    Math.round(SILENT_RUN_SECONDS * rate),
    Math.round(PHONE_KEEP_SECONDS * rate),
  );

  const voice = resample(raw, rate, SAMPLE_RATE);
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
