import { beforeAll, describe, expect, it } from 'vitest';
import { SILENCE } from '../../../src/model/corpus/states.js';
import { generateSpeakers } from '../../../src/model/synthesis/speakers.js';
import { englishSpeakers, englishVoices, holdOutSpeakers, planUtterance } from '../../../src/model/synthesis/synth-plan.js';
import { frameCount } from '../../../src/ops/dsp/fbank.js';
import { loadEspeak } from '../../../src/streams/corpora/espeak.js';
import { FLITE_BASE_VOICES, loadFlite } from '../../../src/streams/corpora/flite.js';
import { renderUtterance, SAMPLE_RATE, type RenderedUtterance, type Synthesizers } from '../../../src/streams/corpora/synth-utterance.js';

const VOWEL = /^(aa|ae|ah|ao|aw|ay|eh|er|ey|ih|iy|ow|oy|uh|uw)$/;
let synthesizers: Synthesizers;
let rendered: RenderedUtterance[];

beforeAll(async () => {
  const espeak = await loadEspeak();
  const flite = await loadFlite();
  synthesizers = { espeak, flite };
  // eSpeak's stock voices, generated eSpeak speakers and generated flite speakers: ten utterances each.
  const stock = holdOutSpeakers(englishSpeakers(espeak.voices, espeak.variants), 5, 0.1);
  const generated = generateSpeakers(5, 'espeak', 40, englishVoices(espeak.voices).map((v) => v.identifier));
  const fliteSet = generateSpeakers(5, 'flite', 20, [...FLITE_BASE_VOICES]);
  rendered = [stock, generated, fliteSet].flatMap((set) => Array.from({ length: 10 }, (_, i) => renderUtterance(synthesizers, planUtterance(5, i, set))));
}, 60_000);

/** Mean square of the 10 ms around frame f's centre. */
function centreEnergy(samples: Float32Array, f: number): number {
  let sum = 0;
  for (let i = 160 * f + 120; i < 160 * f + 280; i++) sum += samples[i] * samples[i];
  return sum / 160;
}

/** Segment k's frames. */
const framesOf = (r: RenderedUtterance, k: number) => Array.from({ length: r.boundaries[k + 1] - r.boundaries[k] }, (_, i) => r.boundaries[k] + i);

describe('renderUtterance', () => {
  it('gives every frame of the 16 kHz recording a phone, each phone at least 3 frames', () => {
    for (const r of rendered) {
      const lead = Math.round(r.plan.leadSeconds * SAMPLE_RATE);
      expect(r.samples.length).toBe(r.clean.length);
      expect(r.frames).toBe(frameCount(r.samples.length));
      expect(r.boundaries.length).toBe(r.segments.length + 1);
      expect(r.boundaries[0]).toBe(0);
      expect(r.boundaries[r.segments.length]).toBe(r.frames);
      for (let k = 0; k < r.segments.length; k++) expect(r.boundaries[k + 1] - r.boundaries[k]).toBeGreaterThanOrEqual(3);
      expect(r.segments[0].phone).toBe(SILENCE);
      expect(r.segments[0].end).toBeGreaterThanOrEqual(lead);
      expect(r.segments[r.segments.length - 1].phone).toBe(SILENCE);
      expect(r.wordPhones.map((phones) => phones.length > 0)).toEqual(r.plan.words.map(() => true));
    }
  });

  it('labels the leading and trailing padding silence, and it is silent', () => {
    for (const r of rendered) {
      const lead = Math.round(r.plan.leadSeconds * SAMPLE_RATE);
      const trail = r.samples.length - Math.round(r.plan.trailSeconds * SAMPLE_RATE);
      const padFrames: number[] = [];
      for (let f = 0; f < r.frames; f++) if (160 * f + 400 <= lead || 160 * f >= trail) padFrames.push(f);
      expect(padFrames.length).toBeGreaterThan(10);
      for (const f of padFrames) {
        const silent = f < r.boundaries[1] || f >= r.boundaries[r.segments.length - 1];
        expect(silent).toBe(true);
        expect(centreEnergy(r.clean, f)).toBe(0);
      }
      // with noise, the padding is still well below the vowels (SNR ≥ 10 dB)
      const vowelFrames = r.segments.flatMap((s, k) => (s.phone !== SILENCE && VOWEL.test(s.phone) ? framesOf(r, k) : []));
      const meanDb = (frames: number[]) => 10 * Math.log10(frames.reduce((sum, f) => sum + centreEnergy(r.samples, f), 0) / frames.length);
      expect(meanDb(padFrames)).toBeLessThan(meanDb(vowelFrames) - 5);
    }
  });

  it('lines phone boundaries up with the energy: speech starts within 2 frames of the first phone and ends near the last', () => {
    let endsOnTime = 0;
    for (const r of rendered) {
      const energies = Array.from({ length: r.frames }, (_, f) => centreEnergy(r.clean, f));
      const loudest = Math.max(...energies);
      const firstPhone = r.boundaries[1];
      const lastPhoneEnd = r.boundaries[r.segments.length - 1] - 1;
      // speech is what stands 10 dB above the floor of the silence around it (digital zero for eSpeak;
      // flite's pauses carry a faint noise at −40 to −60 dB) and within 60 dB of the peak
      const floorOf = (frames: number[]) => Math.max(loudest * 1e-7, ...frames) * 10;
      const before = floorOf(energies.slice(0, Math.max(0, firstPhone - 2)));
      const after = floorOf(energies.slice(lastPhoneEnd + 3));
      const onset = energies.findIndex((e) => e > before);
      const lastAbove = (threshold: number) => energies.length - 1 - [...energies].reverse().findIndex((e) => e > threshold);
      const offset = lastAbove(after);
      expect(Math.abs(onset - firstPhone)).toBeLessThanOrEqual(2);
      // no phone is labelled where the audio has gone quiet; variants with an echo ring on into the silence
      // after the speech, and a final stop's closure is quiet by nature, so most, not all, end on time
      expect(lastAbove(loudest * 1e-6) - lastPhoneEnd).toBeGreaterThanOrEqual(-2);
      if (Math.abs(offset - lastPhoneEnd) <= 2) endsOnTime++;
      // vowels sound: hardly any vowel frame is quiet (stop closures belong to the stops); a vowel's first
      // and last frames may straddle its edge (flite's kal at 8 kHz starts "eight" a frame before it sounds)
      const vowelFrames = r.segments.flatMap((s, k) => (s.phone !== SILENCE && VOWEL.test(s.phone) ? framesOf(r, k).slice(1, -1) : []));
      const quiet = vowelFrames.filter((f) => energies[f] < loudest * 1e-6).length;
      expect(quiet / vowelFrames.length).toBeLessThan(0.01);
    }
    expect(endsOnTime / rendered.length).toBeGreaterThan(0.7);
  });

  it('depends on the plan only: the same plan gives the same audio and labels after other utterances', () => {
    const again = renderUtterance(synthesizers, rendered[3].plan);
    const flite = renderUtterance(synthesizers, rendered[23].plan);
    expect(flite.samples).toEqual(rendered[23].samples);
    expect(flite.segments).toEqual(rendered[23].segments);
    expect(again.samples).toEqual(rendered[3].samples);
    expect(again.segments).toEqual(rendered[3].segments);
    expect(again.boundaries).toEqual(rendered[3].boundaries);
  });
});
