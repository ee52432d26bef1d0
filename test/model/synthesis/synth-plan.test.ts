import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DIGIT_WORDS } from '../../../src/model/corpus/digits.js';
import type { Speaker } from '../../../src/model/synthesis/speakers.js';
import { DEFAULT_RANGES, englishSpeakers, fliteSpeakers, holdOutSpeakers, planSsml, planText, planUtterance, splitOf, utteranceId } from '../../../src/model/synthesis/synth-plan.js';
import { mixSeed } from '../../../src/ops/random.js';

const voices = [
  { identifier: 'gmw/en-US', languages: ['en-us', 'en'] },
  { identifier: 'gmw/en', languages: ['en-gb', 'en'] },
  { identifier: 'gmw/de', languages: ['de'] },
];
const speakers: Speaker[] = englishSpeakers(voices, ['m1', 'f2', 'Mr serious', 'klatt']);

describe('englishSpeakers', () => {
  it('pairs every English voice with every variant and none, ids naming language and variant', () => {
    expect(speakers.map((s) => s.id)).toEqual([
      'en-gb', 'en-gb+f2', 'en-gb+klatt', 'en-gb+m1', 'en-gb+Mr_serious',
      'en-us', 'en-us+f2', 'en-us+klatt', 'en-us+m1', 'en-us+Mr_serious',
    ].sort());
    expect(speakers.find((s) => s.id === 'en-us+Mr_serious')?.voice).toBe('gmw/en-US+Mr serious');
    expect(speakers.find((s) => s.id === 'en-gb')?.voice).toBe('gmw/en');
  });
});

describe('holdOutSpeakers', () => {
  it('holds out about a tenth of the speakers, disjoint from the rest, the same for the same seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 300 }), fc.nat(), (n, seed) => {
        const many = Array.from({ length: n }, (_, i): Speaker => ({ id: `s${i}`, synthesizer: 'espeak', base: 'b', group: 'stock', voice: `v${i}` }));
        const split = holdOutSpeakers(many, seed, 0.1);
        expect(split.heldOut.length).toBe(Math.min(n - 1, Math.max(1, Math.round(0.1 * n))));
        expect(split.seen.length + split.heldOut.length).toBe(n);
        const held = new Set(split.heldOut);
        expect(split.seen.some((s) => held.has(s))).toBe(false);
        expect(holdOutSpeakers(many, seed, 0.1)).toEqual(split);
      }),
    );
  });
});

describe('planUtterance', () => {
  const split = holdOutSpeakers(speakers, 3, 0.2);

  it('splits 80/10/10 by utterance index', () => {
    const counts = { train: 0, dev: 0, test: 0 };
    for (let i = 0; i < 1000; i++) counts[splitOf(i)]++;
    expect(counts).toEqual({ train: 800, dev: 100, test: 100 });
  });

  it('draws everything within its ranges, test speakers only for test', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(100000), (seed, index) => {
        const plan = planUtterance(seed, index, split);
        expect(plan.id).toBe(utteranceId(index));
        expect(plan.split).toBe(splitOf(index));
        expect((plan.split === 'test' ? split.heldOut : split.seen).includes(plan.speaker)).toBe(true);
        expect(plan.words.length).toBeGreaterThanOrEqual(DEFAULT_RANGES.digits[0]);
        expect(plan.words.length).toBeLessThanOrEqual(DEFAULT_RANGES.digits[1]);
        expect(plan.words.every((w) => (DIGIT_WORDS as readonly string[]).includes(w))).toBe(true);
        expect(plan.pausesMs.length).toBe(plan.words.length - 1);
        plan.pausesMs.forEach((pause, k) => {
          // a glottal break (40–100 ms) between a vowel and the same vowel ("zero oh", "oh oh"), else none or a pause
          const glottal = ['zero', 'oh'].includes(plan.words[k]) && plan.words[k + 1] === 'oh';
          if (glottal) expect(pause === 0 ? false : (pause >= 40 && pause <= 100) || (pause >= 100 && pause <= 400)).toBe(true);
          else expect(pause === 0 || (pause >= 100 && pause <= 400)).toBe(true);
        });
        for (const [value, [low, high]] of [
          [plan.rate, DEFAULT_RANGES.rate],
          [plan.pitch, DEFAULT_RANGES.pitch],
          [plan.range, DEFAULT_RANGES.range],
          [plan.peakDb, DEFAULT_RANGES.peakDb],
          [plan.snrDb, DEFAULT_RANGES.snrDb],
          [plan.leadSeconds, DEFAULT_RANGES.padSeconds],
          [plan.trailSeconds, DEFAULT_RANGES.padSeconds],
        ] as const) {
          expect(value).toBeGreaterThanOrEqual(low);
          expect(value).toBeLessThanOrEqual(high);
        }
        expect(Number.isInteger(plan.rate) && Number.isInteger(plan.noiseSeed)).toBe(true);
      }),
    );
  });

  it('depends on (seed, index) only', () => {
    expect(planUtterance(9, 41, split)).toEqual(planUtterance(9, 41, split));
    expect(planUtterance(9, 41, split)).not.toEqual(planUtterance(10, 41, split));
    expect(mixSeed(9, 41)).not.toBe(mixSeed(9, 42));
    expect(mixSeed(9, 41)).not.toBe(mixSeed(41, 9));
  });

  it('uses all eleven words and every speaker over a corpus', () => {
    const words = new Set<string>();
    const used = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const plan = planUtterance(1, i, split);
      plan.words.forEach((w) => words.add(w));
      used.add(plan.speaker.id);
    }
    expect(words.size).toBe(11);
    expect(used.size).toBe(speakers.length);
  });
});

describe('planText', () => {
  it('marks each word and writes pauses as SSML breaks', () => {
    const plan = { ...planUtterance(1, 0, holdOutSpeakers(speakers, 1, 0.1)), words: ['two', 'oh', 'nine'], pausesMs: [0, 250] };
    expect(planText(plan)).toBe('<mark name="w0"/>two <mark name="w1"/>oh <break time="250ms"/> <mark name="w2"/>nine <mark name="end"/>');
  });
});

describe('planSsml', () => {
  it('speaks the words with pauses as SSML breaks, no marks (flite)', () => {
    const plan = { ...planUtterance(1, 0, holdOutSpeakers(speakers, 1, 0.1)), words: ['two', 'oh', 'nine'], pausesMs: [0, 250] };
    expect(planSsml(plan)).toBe('<speak>two oh <break time="250ms"/> nine</speak>');
  });
});

describe('the synthesizer mix', () => {
  const both = holdOutSpeakers([...speakers, ...fliteSpeakers(['kal', 'slt', 'awb'])], 2, 0.3);

  it('speaks with each synthesizer about as often as its weight says, and never with one that has no speaker', () => {
    const counts = { espeak: 0, flite: 0 };
    for (let i = 0; i < 3000; i++) counts[planUtterance(1, i, both, DEFAULT_RANGES, { espeak: 2, flite: 1 }).speaker.synthesizer]++;
    // Two to one, within a few standard deviations of a binomial draw of 3000.
    expect(Math.abs(counts.espeak / 3000 - 2 / 3)).toBeLessThan(0.04);
    const espeakOnly = holdOutSpeakers(speakers, 2, 0.3);
    for (let i = 0; i < 200; i++) expect(planUtterance(1, i, espeakOnly, DEFAULT_RANGES, { espeak: 2, flite: 1 }).speaker.synthesizer).toBe('espeak');
  });
});
