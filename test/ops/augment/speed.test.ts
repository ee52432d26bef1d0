import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resampleLabels, speedPerturb } from '../../../src/ops/augment/speed.js';
import { frameCount } from '../../../src/ops/dsp/fbank.js';

const labels = (n: number) => fc.array(fc.integer({ min: 0, max: 20 }), { minLength: n, maxLength: n }).map((a) => Int32Array.from(a.sort((x, y) => x - y)));

describe('speedPerturb', () => {
  it('at ×1 is the identity, a copy', () => {
    const x = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i / 7));
    const y = speedPerturb(x, 16000, 1);
    expect(y).toEqual(x);
    expect(y).not.toBe(x);
  });

  it('plays a tone faster: n/factor samples, its frequency times the factor', () => {
    fc.assert(
      fc.property(fc.integer({ min: 180, max: 220 }).map((k) => k / 200), (factor) => {
        const rate = 16000;
        const x = Float32Array.from({ length: 8000 }, (_, i) => Math.sin((2 * Math.PI * 500 * i) / rate));
        const y = speedPerturb(x, rate, factor);
        expect(Math.abs(y.length - x.length / factor)).toBeLessThanOrEqual(1);
        // Zero crossings away from the edges count the frequency.
        let crossings = 0;
        for (let i = 1000; i < y.length - 1000; i++) if (y[i - 1] < 0 && y[i] >= 0) crossings++;
        const frequency = (crossings * rate) / (y.length - 2000);
        expect(Math.abs(frequency - 500 * factor)).toBeLessThan(12);
      }),
      { numRuns: 15 },
    );
  });

  it('refuses a factor that makes no whole sample rate', () => {
    expect(() => speedPerturb(new Float32Array(10), 16000, 1.00001)).toThrow(/whole number of hertz/);
    expect(() => speedPerturb(new Float32Array(10), 16000, 0)).toThrow(/whole number of hertz/);
  });
});

describe('resampleLabels', () => {
  it('at ×1 keeps every label', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }).chain(labels), (old) => {
        expect(resampleLabels(old, 1, old.length, 400, 160)).toEqual(old);
      }),
    );
  });

  it('gives every new frame a label, never going back in time, from the first to (about) the last', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }).chain(labels), fc.integer({ min: 180, max: 220 }), (old, k) => {
        const factor = k / 200;
        const samples = 400 + 160 * (old.length - 1);
        const frames = frameCount(Math.ceil(samples / factor));
        const out = resampleLabels(old, factor, frames, 400, 160);
        expect(out.length).toBe(frames);
        // Sorted labels stay sorted: the mapping is monotone in time.
        for (let t = 1; t < out.length; t++) expect(out[t]).toBeGreaterThanOrEqual(out[t - 1]);
        if (frames > 0) expect(out[0]).toBe(old[0]);
        // The last new frame takes a label from the old utterance's last two frames.
        if (frames > 0) expect([old[old.length - 1], old[Math.max(0, old.length - 2)]]).toContain(out[frames - 1]);
        // Every label of a stretch longer than the stretch factor survives.
        for (const label of new Set(old)) {
          const run = old.filter((x) => x === label).length;
          if (run * Math.min(1, 1 / factor) >= 2) expect(out.includes(label)).toBe(true);
        }
      }),
    );
  });

  it('refuses to stretch nothing over frames', () => {
    expect(() => resampleLabels(new Int32Array(0), 1.1, 3, 400, 160)).toThrow(/no labels/);
    expect(resampleLabels(new Int32Array(0), 1.1, 0, 400, 160)).toEqual(new Int32Array(0));
  });
});
