import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conditionOf, CONDITIONS } from '../../../src/model/augmentation/conditions.js';
import { drawAugmentation, NO_CHANGE, placedMasks } from '../../../src/model/augmentation/draw.js';
import { AUGMENTATION_DEFAULTS, AUGMENTATIONS, augments, describeAugmentations, NO_AUGMENTATION, parseAugmentations } from '../../../src/model/augmentation/plan.js';

describe('augmentation plans', () => {
  it('read from the command line: none, all, names with probabilities; and written back', () => {
    expect(parseAugmentations('none')).toEqual(E.right(NO_AUGMENTATION));
    expect(parseAugmentations('all')).toEqual(E.right(AUGMENTATION_DEFAULTS));
    const plan = parseAugmentations('speed,noise:0.8');
    expect(E.isRight(plan)).toBe(true);
    if (E.isRight(plan)) {
      expect(plan.right.speed.probability).toBe(1);
      expect(plan.right.noise.probability).toBe(0.8);
      expect(plan.right.reverb.probability).toBe(0);
      expect(describeAugmentations(plan.right)).toBe('speed,noise:0.8');
      expect(augments(plan.right)).toBe(true);
    }
    expect(augments(NO_AUGMENTATION)).toBe(false);
    expect(parseAugmentations('speed,echo')).toEqual(E.left(expect.stringMatching(/unknown augmentation "echo"/)));
    expect(parseAugmentations('noise:2')).toEqual(E.left(expect.stringMatching(/probability/)));
  });
});

describe('drawAugmentation', () => {
  it('is a pure function of (plan, seed, utterance, epoch), different across epochs, inside the plan', () => {
    fc.assert(
      fc.property(fc.nat(), fc.string(), fc.nat(100), (seed, id, epoch) => {
        const a = drawAugmentation(AUGMENTATION_DEFAULTS, seed, id, epoch, 16);
        expect(drawAugmentation(AUGMENTATION_DEFAULTS, seed, id, epoch, 16)).toEqual(a);
        expect(a.speed).toBeGreaterThanOrEqual(0.9);
        expect(a.speed).toBeLessThanOrEqual(1.1);
        expect(Number.isInteger(Math.round(16000 * a.speed * 1e6) / 1e6)).toBe(true);
        expect(a.warp).toBeGreaterThanOrEqual(0.9);
        expect(a.warp).toBeLessThanOrEqual(1.1);
        if (a.noise) {
          expect(a.noise.snrDb).toBeGreaterThanOrEqual(0);
          expect(a.noise.snrDb).toBeLessThanOrEqual(25);
          for (const talker of a.noise.talkers) expect(talker.index).toBeLessThan(16);
        }
        if (a.reverb) expect(a.reverb.rt60).toBeGreaterThanOrEqual(0.2);
      }),
    );
    const epochs = new Set(Array.from({ length: 10 }, (_, e) => JSON.stringify(drawAugmentation(AUGMENTATION_DEFAULTS, 1, 'u1', e, 4))));
    expect(epochs.size).toBe(10);
  });

  it('draws nothing from a plan that augments nothing, and babble becomes pink without talkers', () => {
    fc.assert(
      fc.property(fc.nat(), fc.string(), fc.nat(), (seed, id, epoch) => {
        expect(drawAugmentation(NO_AUGMENTATION, seed, id, epoch)).toEqual(NO_CHANGE);
        const noisy = drawAugmentation({ ...NO_AUGMENTATION, noise: { ...AUGMENTATION_DEFAULTS.noise, probability: 1, kinds: ['babble'] } }, seed, id, epoch, 0);
        expect(noisy.noise?.kind).toBe('pink');
      }),
    );
  });

  it('turning one augmentation off leaves the draws of the others as they were', () => {
    fc.assert(
      fc.property(fc.nat(), fc.string(), fc.nat(), fc.constantFrom(...AUGMENTATIONS), (seed, id, epoch, off) => {
        const all = drawAugmentation(AUGMENTATION_DEFAULTS, seed, id, epoch, 8);
        const without = drawAugmentation({ ...AUGMENTATION_DEFAULTS, [off]: { ...AUGMENTATION_DEFAULTS[off], probability: 0 } }, seed, id, epoch, 8);
        const fields = { speed: 'speed', reverb: 'reverb', noise: 'noise', telephone: 'telephone', gain: 'gainDb', vtlp: 'warp', specaugment: 'masks' } as const;
        for (const name of AUGMENTATIONS) if (name !== off) expect(without[fields[name]]).toEqual(all[fields[name]]);
      }),
    );
  });

  it('places masks within the features, time masks no wider than their share', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 500 }), (seed, frames) => {
        const a = drawAugmentation({ ...NO_AUGMENTATION, specaugment: { ...AUGMENTATION_DEFAULTS.specaugment, probability: 1 } }, seed, 'u', 0);
        const placed = placedMasks(a.masks!, frames, 40, 0.1);
        for (const [start, width] of placed.time) {
          expect(start).toBeLessThan(frames);
          expect(width).toBeLessThanOrEqual(Math.floor(0.1 * frames));
        }
        for (const [start] of placed.frequency) expect(start).toBeLessThan(40);
      }),
    );
  });
});

describe('conditions', () => {
  it('are fixed per utterance: the same audio for every model', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CONDITIONS), fc.string(), (condition, id) => {
        expect(conditionOf(condition, id)).toEqual(conditionOf(condition, id));
      }),
    );
    expect(conditionOf('clean', 'x')).toEqual(NO_CHANGE);
    expect(conditionOf('noisy10dB', 'x').noise?.snrDb).toBe(10);
    expect(conditionOf('noisy0dB', 'x').noise?.snrDb).toBe(0);
    expect(conditionOf('telephone', 'x').telephone).toEqual({ muLaw: true });
  });
});
