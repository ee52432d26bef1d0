import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DIGIT_LEXICON, DIGIT_PHONES, DIGIT_WORDS } from '../../../src/model/corpus/digits.js';
import { stateInventory } from '../../../src/model/corpus/states.js';
import { uniformAlignment } from '../../../src/model/corpus/uniform.js';

const inventory = stateInventory(DIGIT_PHONES);

describe('uniformAlignment', () => {
  it('covers every frame, in the transcript’s state order, each state within one frame of an even share', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...DIGIT_WORDS), { minLength: 1, maxLength: 7 }), fc.integer({ min: 0, max: 600 }), (words, frames) => {
        const phones = 2 + words.reduce((n, w) => n + DIGIT_LEXICON.find((p) => p.word === w)!.phones.length, 0);
        const states = 3 * phones;
        const aligned = uniformAlignment(words, DIGIT_LEXICON, inventory, frames);
        if (frames < states) {
          expect(aligned).toEqual(E.left(`${frames} frames are too few for its transcript's ${states} states`));
          return;
        }
        if (E.isLeft(aligned)) throw new Error(aligned.left);
        const a = aligned.right;
        expect(a.length).toBe(frames);
        // Runs: exactly `states` of them (consecutive equal states would merge: none here but sil_2 → sil_0 at word edges, which differ).
        const runs: number[] = [];
        for (let t = 0; t < frames; t++) if (t === 0 || a[t] !== a[t - 1]) runs.push(1);
        else runs[runs.length - 1]++;
        expect(runs.length).toBe(states);
        for (const length of runs) expect(Math.abs(length - frames / states)).toBeLessThanOrEqual(1);
        expect(a[0]).toBe(0);
        expect(a[frames - 1]).toBe(2);
      }),
    );
  });

  it("draws each word's pronunciation from its variants by the seed: every variant gets frames, the same seed the same one", () => {
    const zeroes = (seed: number) => {
      const aligned = uniformAlignment(['zero', 'zero'], DIGIT_LEXICON, inventory, 60, seed);
      if (E.isLeft(aligned)) throw new Error(aligned.left);
      return aligned.right;
    };
    const ih = inventory.phones.indexOf('ih');
    const iy = inventory.phones.indexOf('iy');
    const vowels = new Set<number>();
    for (let seed = 0; seed < 40; seed++) {
      const a = zeroes(seed);
      expect(zeroes(seed)).toEqual(a);
      for (const state of a) if ([ih, iy].includes(Math.floor(state / 3))) vowels.add(Math.floor(state / 3));
    }
    expect([...vowels].sort()).toEqual([ih, iy].sort());
  });

  it('with a speech span: the silences share the frames outside it, the words theirs within, a span that does not fit moved to fit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...DIGIT_WORDS), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: -20, max: 420 }),
        fc.integer({ min: -20, max: 420 }),
        (words, frames, a, b) => {
          const plain = uniformAlignment(words, DIGIT_LEXICON, inventory, frames, 7);
          const aligned = uniformAlignment(words, DIGIT_LEXICON, inventory, frames, 7, { start: Math.min(a, b), end: Math.max(a, b) });
          if (E.isLeft(plain)) {
            expect(aligned).toEqual(plain);
            return;
          }
          if (E.isLeft(aligned)) throw new Error(aligned.left);
          const x = aligned.right;
          // The same states in the same order, each at least one frame (the runs of the plain spread).
          const runs = (y: Int32Array) => [...y].filter((state, t) => t === 0 || state !== y[t - 1]);
          expect(runs(x)).toEqual(runs(plain.right));
          const silent = (t: number) => x[t] < 3;
          const spoken = [...x.keys()].filter((t) => !silent(t));
          const [firstWord, lastWord] = [spoken[0], spoken.at(-1) as number];
          const fits = Math.min(a, b) >= 3 && Math.max(a, b) <= frames - 3 && Math.max(a, b) - Math.min(a, b) >= runs(x).length - 6;
          if (fits) expect([firstWord, lastWord + 1]).toEqual([Math.min(a, b), Math.max(a, b)]);
        },
      ),
    );
  });

  it('aligns no words as one silence, with a speech span or without', () => {
    for (const speech of [undefined, { start: 5, end: 15 }]) {
      const aligned = uniformAlignment([], DIGIT_LEXICON, inventory, 21, 0, speech);
      expect(aligned).toEqual(E.right(Int32Array.from({ length: 21 }, (_, t) => Math.floor(t / 7))));
    }
  });

  it('takes the shortest pronunciations where the drawn ones need more frames than there are', () => {
    const lexicon = [
      { word: 'four', phones: ['f', 'ao', 'r'] },
      { word: 'four', phones: ['f', 'ao'] },
    ];
    // 4 phones (sil f ao sil) fit 12 frames, 5 do not: every seed gets the short one.
    for (let seed = 0; seed < 20; seed++) {
      const aligned = uniformAlignment(['four'], lexicon, inventory, 12, seed);
      if (E.isLeft(aligned)) throw new Error(aligned.left);
      expect(new Set(aligned.right.map((state) => Math.floor(state / 3))).has(inventory.phones.indexOf('r'))).toBe(false);
    }
    expect(uniformAlignment(['four'], lexicon, inventory, 11)).toEqual(E.left("11 frames are too few for its transcript's 12 states"));
  });

  it('refuses an unknown word by name', () => {
    expect(uniformAlignment(['two', 'eleven'], DIGIT_LEXICON, inventory, 100)).toEqual(E.left('not in the lexicon: "eleven"'));
  });
});
