import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACCEPTED,
  decodeSpeakers,
  encodeSpeakers,
  espeakParams,
  espeakVariantText,
  fliteParams,
  FLITE_VOICES,
  generateSpeakers,
  GROUPS,
  inTestRegion,
  type EspeakVoiceParams,
} from '../../../src/model/synthesis/speakers.js';

const ESPEAK_BASES = ['gmw/en-029', 'gmw/en', 'gmw/en-GB-scotland', 'gmw/en-GB-x-gbclan', 'gmw/en-GB-x-gbcwmd', 'gmw/en-GB-x-rp', 'gmw/en-US', 'gmw/en-US-nyc'];
const within = (value: number, [low, high]: readonly [number, number]) => value >= low && value <= high;

function accepted(params: EspeakVoiceParams): boolean {
  const a = ACCEPTED.espeak;
  return (
    within(params.klatt, a.klatt) &&
    params.pitch.every((p) => within(p, a.pitch)) &&
    params.pitch[1] > params.pitch[0] &&
    params.formants.length === 9 &&
    params.formants.every(([f, s, w]) => within(f, a.formantFrequency) && within(s, a.formantStrength) && within(w, a.formantWidth)) &&
    within(params.flutter, a.flutter) &&
    within(params.roughness, a.roughness) &&
    params.breath.length === 8 &&
    params.breath.every((b) => within(b, a.breath)) &&
    within(params.voicing, a.voicing) &&
    params.consonants.every((c) => within(c, a.consonants)) &&
    params.tone.filter((_, i) => i % 2 === 1).every((t) => within(t, a.tone))
  );
}

describe('the speaker generator', () => {
  it("draws an eSpeak speaker's parameters as a pure function of its seed, inside eSpeak's accepted ranges and its group's", () => {
    fc.assert(
      fc.property(fc.nat(), fc.constantFrom('male', 'female', 'child') as fc.Arbitrary<'male' | 'female' | 'child'>, (seed, group) => {
        const params = espeakParams(seed, group);
        expect(espeakParams(seed, group)).toEqual(params);
        expect(accepted(params)).toBe(true);
        expect(within(params.pitch[0], GROUPS[group].pitch)).toBe(true);
        expect(within(params.tractScale, GROUPS[group].tractScale)).toBe(true);
      }),
    );
  });

  it("draws a flite speaker's parameters as a pure function of its seed, inside flite's ranges", () => {
    fc.assert(
      fc.property(fc.nat(), fc.constantFrom(...Object.keys(FLITE_VOICES)), (seed, base) => {
        const params = fliteParams(seed, base);
        expect(fliteParams(seed, base)).toEqual(params);
        expect(within(params.f0Mean, ACCEPTED.flite.f0Mean)).toBe(true);
        expect(within(params.f0Std, ACCEPTED.flite.f0Std)).toBe(true);
        expect(within(params.durationStretch, ACCEPTED.flite.durationStretch)).toBe(true);
      }),
    );
  });

  it('holds test speakers apart: no test base voice is a training one, no training speaker in the test region; same seed, same speakers', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 2, max: 120 }), (seed, count) => {
        for (const [synthesizer, bases] of [['espeak', ESPEAK_BASES], ['flite', Object.keys(FLITE_VOICES)]] as const) {
          const set = generateSpeakers(seed, synthesizer, count, bases);
          expect(generateSpeakers(seed, synthesizer, count, bases)).toEqual(set);
          expect(set.seen.length + set.heldOut.length).toBe(count);
          expect(set.heldOut.length).toBeGreaterThanOrEqual(1);
          const trainingBases = new Set(set.seen.map((s) => s.base));
          for (const speaker of set.heldOut) expect(trainingBases.has(speaker.base)).toBe(false);
          for (const speaker of set.seen) if (speaker.synthesizer === 'espeak') expect(inTestRegion(speaker.params!)).toBe(false);
          expect(new Set([...set.seen, ...set.heldOut].map((s) => s.id)).size).toBe(count);
        }
      }),
      { numRuns: 40 },
    );
  });

  it("writes eSpeak's variant format, and speakers.jsonl reads back", () => {
    const params = espeakParams(7, 'female');
    const text = espeakVariantText('espeak-0007', params);
    expect(text).toMatch(/^language variant\nname espeak-0007\npitch \d+ \d+\nformant 0 /);
    expect(text.split('\n').filter((line) => line.startsWith('formant '))).toHaveLength(9);
    const set = generateSpeakers(3, 'espeak', 12, ESPEAK_BASES);
    const lines = decodeSpeakers(encodeSpeakers(set));
    expect(E.isRight(lines)).toBe(true);
    if (E.isRight(lines)) {
      expect(lines.right.map(({ split: _split, ...speaker }) => speaker)).toEqual([...set.seen, ...set.heldOut]);
      expect(lines.right.filter((l) => l.split === 'test').length).toBe(set.heldOut.length);
    }
    expect(decodeSpeakers('{"id":1}')).toEqual(E.left(expect.stringMatching(/^line 1: /)));
  });
});
