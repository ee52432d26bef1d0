import { describe, expect, it } from 'vitest';
import { babble } from '../../../src/ops/augment/babble.js';
import { meanPower } from '../../../src/ops/dsp/noise.js';

describe('babble', () => {
  it('sums talkers at unit power times their gain, from their offsets, wrapping around', () => {
    const a = Float32Array.of(1, -1, 1, -1);
    const b = Float32Array.of(2, 2, -2, -2);
    const out = babble(6, [
      { source: a, offset: 1, gain: 1 },
      { source: b, offset: 2, gain: 0.5 },
    ]);
    // a has unit power; b has power 4: scaled by 0.5 / 2.
    expect(Array.from(out)).toEqual([-1 - 0.5, 1 - 0.5, -1 + 0.5, 1 + 0.5, -1 - 0.5, 1 - 0.5]);
  });

  it('passes over silent sources, and with none is silence', () => {
    expect(Array.from(babble(3, [{ source: new Float32Array(4), offset: 0, gain: 1 }]))).toEqual([0, 0, 0]);
    expect(Array.from(babble(2, []))).toEqual([0, 0]);
  });

  it('of one talker has the talker gain’s power', () => {
    const source = Float32Array.from({ length: 999 }, (_, i) => Math.sin(i * 0.3) * (1 + (i % 7)));
    expect(meanPower(babble(999, [{ source, offset: 123, gain: 0.7 }]))).toBeCloseTo(0.49, 6);
  });
});
