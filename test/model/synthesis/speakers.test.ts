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
  isTemplateVoice,
  espeakTemplateText,
  TEMPLATE_GROUPS,
  templateVoice,
  type EspeakTemplateVoice,
  type EspeakVoiceParams,
} from '../../../src/model/synthesis/speakers.js';

/** Some of eSpeak NG's own variant files, as it ships them (espeak-ng-data/voices/!v). */
const TEMPLATES: Record<string, string> = {
  f2: 'language variant\nname female2\ngender female\n\npitch 142 220\nroughness 3\n\nformant 0 105  80 150\nformant 1 110  80 160\nformant 2 110  70 150\nformant 3 110  70 150\nformant 4 115  80 150\nformant 5 115  80 150\nformant 6 110  70 150\nformant 7 110  70 150\nformant 8 110  70 150\n\nstressAdd 0 0 -10 -10 0 0 10 40\nbreath 0 2 3 3 3 3 3 2\necho 140 10\nconsonants 125 125\n',
  travis: 'language variant\nname travis\ngender male 30\npitch 75 120\nformant 0 90 90 90 90 \nformant 1 50 100 80 95\nformant 2 90 60 90 100\nformant 3 80 80 90 100\nformant 4 50 90 100 100\nformant 5 100 95 100 55\nformant 6 80 50 100 85\nformant 7 60 60 60 120\nformant 8 80 80 140 100\ntone 600 100 1000 200 1500 50 \nflutter 1 \nroughness 3 \nvoicing 200 \nconsonants 120 190 \n',
  klatt3: 'language variant\nname klatt3\nklatt 3\n',
  whisper: 'language variant\nname whisper\ngender male\n\npitch 82 117\nflutter 20\n\nformant 0 100  0 100\nformant 1 100 80 100\n\nvoicing 17\nbreath   75  75  50  40  15  10\nbreathw 150 150 200 200 400 400\n',
};

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
          for (const speaker of set.seen) if (speaker.synthesizer === 'espeak' && !isTemplateVoice(speaker.params!)) expect(inTestRegion(speaker.params!)).toBe(false);
          expect(new Set([...set.seen, ...set.heldOut].map((s) => s.id)).size).toBe(count);
        }
      }),
      { numRuns: 40 },
    );
  });

  it("makes eSpeak speakers from its own variants, test speakers from variants no training speaker starts from", () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 2, max: 120 }), (seed, count) => {
        const templates = Object.keys(TEMPLATES);
        const set = generateSpeakers(seed, 'espeak', count, ESPEAK_BASES, templates);
        expect(generateSpeakers(seed, 'espeak', count, ESPEAK_BASES, templates)).toEqual(set);
        const used = (speakers: typeof set.seen) => new Set(speakers.map((s) => (s.params as EspeakTemplateVoice).template));
        for (const template of used(set.heldOut)) expect(used(set.seen).has(template)).toBe(false);
        for (const speaker of [...set.seen, ...set.heldOut]) {
          const voice = speaker.params as EspeakTemplateVoice;
          expect(isTemplateVoice(voice)).toBe(true);
          expect(templates).toContain(voice.template);
          const ranges = TEMPLATE_GROUPS[speaker.group as 'male' | 'female' | 'child'];
          expect(within(voice.pitchScale, ranges.pitchScale) && within(voice.formantScale, ranges.formantScale)).toBe(true);
        }
      }),
      { numRuns: 40 },
    );
  });

  it("writes a template voice as its variant with the pitch and every formant moved, inside eSpeak's ranges", () => {
    fc.assert(
      fc.property(fc.nat(), fc.constantFrom('male', 'female', 'child') as fc.Arbitrary<'male' | 'female' | 'child'>, fc.constantFrom(...Object.keys(TEMPLATES)), (seed, group, template) => {
        const voice = templateVoice(seed, group, template);
        expect(templateVoice(seed, group, template)).toEqual(voice);
        const text = espeakTemplateText('espeak-0042', voice, TEMPLATES[template]);
        const lines = text.split('\n').slice(0, -1);
        expect(lines[0]).toBe('language variant');
        expect(lines.filter((l) => l.startsWith('name '))).toEqual(['name espeak-0042']);
        const pitch = lines.filter((l) => l.startsWith('pitch ')).map((l) => l.split(/\s+/).slice(1).map(Number));
        expect(pitch).toHaveLength(1);
        for (const hz of pitch[0]) expect(within(hz, [50, 450])).toBe(true);
        const formants = new Map(lines.filter((l) => l.startsWith('formant ')).map((l) => [Number(l.split(/\s+/)[1]), Number(l.split(/\s+/)[2])]));
        for (let k = 0; k <= 5; k++) expect(formants.has(k)).toBe(true);
        // Each frequency is the template's (100 % where it has none) times the scale, rounded.
        const own = new Map(TEMPLATES[template].split('\n').filter((l) => l.trim().startsWith('formant ')).map((l) => [Number(l.trim().split(/\s+/)[1]), Number(l.trim().split(/\s+/)[2])]));
        for (const [k, f] of formants) expect(f).toBe(Math.round((own.get(k) ?? 100) * voice.formantScale));
        for (const [k, f] of formants) expect(within(f, [0, 255]) && k >= 0 && k <= 8).toBe(true);
        // Everything else of the template is kept.
        for (const line of TEMPLATES[template].split('\n').filter((l) => l.trim() !== '' && !/^(name|pitch|formant) /.test(l.trim()))) expect(lines).toContain(line);
      }),
    );
  });

  it("writes eSpeak's variant format, and speakers.jsonl reads back", () => {
    const params = espeakParams(7, 'female');
    const text = espeakVariantText('espeak-0007', params);
    expect(text).toMatch(/^language variant\nname espeak-0007\npitch \d+ \d+\nformant 0 /);
    expect(text.split('\n').filter((line) => line.startsWith('formant '))).toHaveLength(9);
    for (const set of [generateSpeakers(3, 'espeak', 12, ESPEAK_BASES), generateSpeakers(3, 'espeak', 12, ESPEAK_BASES, Object.keys(TEMPLATES))]) {
    const lines = decodeSpeakers(encodeSpeakers(set));
    expect(E.isRight(lines)).toBe(true);
    if (E.isRight(lines)) {
      expect(lines.right.map(({ split: _split, ...speaker }) => speaker)).toEqual([...set.seen, ...set.heldOut]);
      expect(lines.right.filter((l) => l.split === 'test').length).toBe(set.heldOut.length);
    }
    }
    expect(decodeSpeakers('{"id":1}')).toEqual(E.left(expect.stringMatching(/^line 1: /)));
  });
});
