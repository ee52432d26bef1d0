import { hashString, mixSeed } from '../../ops/random.js';
import { NO_CHANGE, type Augmentation } from './draw.js';

/**
 * Conditions training did not choose: fixed transforms of a test split, for
 * measuring robustness. `clean` leaves the audio as it is; `telephone` is
 * the 8 kHz, 300–3400 Hz channel with μ-law; `noisy10dB` and `noisy0dB` add
 * pink noise at that signal-to-noise ratio; `reverb` is a room with an RT60
 * of 0.5 s and as much reverberant as direct energy.
 */
export const CONDITIONS = ['clean', 'telephone', 'noisy10dB', 'noisy0dB', 'reverb'] as const;
export type Condition = (typeof CONDITIONS)[number];

/** Conditions' noise and rooms are seeded from the utterance's id alone, so every model hears the same test audio. */
const CONDITION_SEED = 0x7e57;

/** The augmentation that puts utterance `id` in `condition`. */
export function conditionOf(condition: Condition, id: string): Augmentation {
  const seed = mixSeed(CONDITION_SEED, hashString(id));
  switch (condition) {
    case 'clean':
      return NO_CHANGE;
    case 'telephone':
      return { ...NO_CHANGE, telephone: { muLaw: true } };
    case 'noisy10dB':
      return { ...NO_CHANGE, noise: { kind: 'pink', snrDb: 10, seed, talkers: [] } };
    case 'noisy0dB':
      return { ...NO_CHANGE, noise: { kind: 'pink', snrDb: 0, seed, talkers: [] } };
    case 'reverb':
      return { ...NO_CHANGE, reverb: { rt60: 0.5, tailRatio: 1, seed } };
  }
}
