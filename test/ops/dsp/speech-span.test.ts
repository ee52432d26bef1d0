import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coveringSpan, frameLogEnergies, speechSpan, widenSpan } from '../../../src/ops/dsp/speech-span.js';

describe('frameLogEnergies', () => {
  it('is the log mean square of each 400-sample frame every 160 samples, against a float64 sum', () => {
    fc.assert(
      fc.property(fc.float32Array({ noNaN: true, noDefaultInfinity: true, min: -1, max: 1, minLength: 400, maxLength: 2000 }), (samples) => {
        const frames = 1 + Math.floor((samples.length - 400) / 160);
        const energies = frameLogEnergies(samples, frames);
        for (let t = 0; t < frames; t++) {
          let sum = 0;
          for (let i = t * 160; i < t * 160 + 400; i++) sum += samples[i] ** 2;
          expect(energies[t]).toBeCloseTo(Math.log(Math.max(sum / 400, 1e-10)), 9);
        }
      }),
    );
  });

  it('counts what a frame past the end has, and floors silence at 1e-10', () => {
    const energies = frameLogEnergies(new Float32Array(480).fill(0.5), 4);
    expect([...energies]).toEqual([Math.log(0.25), Math.log(0.25), Math.log(0.25), Math.log(1e-10)]);
    expect(frameLogEnergies(new Float32Array(400), 1)[0]).toBe(Math.log(1e-10));
  });
});

describe('speechSpan', () => {
  /** Frame energies of quiet noise around a loud stretch [start, end), as a recording of a few words. */
  const recording = fc
    .record({ before: fc.integer({ min: 5, max: 60 }), words: fc.integer({ min: 10, max: 300 }), after: fc.integer({ min: 5, max: 60 }), floor: fc.double({ min: -20, max: -5, noNaN: true }), snr: fc.double({ min: 10, max: 40, noNaN: true }), seed: fc.integer() })
    .filter(({ before, words, after }) => before + after >= 0.12 * (before + words + after));

  it('finds a loud stretch between quiet ones to within the margin, whatever the level and SNR', () => {
    fc.assert(
      fc.property(recording, ({ before, words, after, floor, snr, seed }) => {
        let state = seed >>> 0;
        const jitter = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 0.5;
        const loud = floor + (snr * Math.LN10) / 10;
        const energies = Float64Array.from({ length: before + words + after }, (_, t) => (t >= before && t < before + words ? loud : floor) + jitter());
        expect(speechSpan(energies, 0.3, 0)).toEqual({ start: before, end: before + words });
        expect(speechSpan(energies, 0.3, 2)).toEqual({ start: before - 2, end: before + words + 2 });
      }),
    );
  });

  it('keeps quiet stretches inside the speech, and takes the whole of a flat or empty signal', () => {
    const words = Float64Array.of(-9, -9, -9, -1, -9, -9, -1, -9, -9, -9);
    expect(speechSpan(words, 0.3, 0)).toEqual({ start: 3, end: 7 });
    expect(speechSpan(new Float64Array(20).fill(-3))).toEqual({ start: 0, end: 20 });
    expect(speechSpan(new Float64Array(0))).toEqual({ start: 0, end: 0 });
  });

  it('stays within the utterance, start before end', () => {
    fc.assert(
      fc.property(fc.float64Array({ noNaN: true, noDefaultInfinity: true, min: -30, max: 5, minLength: 1, maxLength: 300 }), fc.integer({ min: 0, max: 5 }), (energies, margin) => {
        const { start, end } = speechSpan(energies, 0.3, margin);
        expect(0 <= start && start < end && end <= energies.length).toBe(true);
      }),
    );
  });
});

describe('widenSpan and coveringSpan', () => {
  const span = fc.integer({ min: 0, max: 300 }).chain((frames) =>
    fc.tuple(fc.integer({ min: 0, max: frames }), fc.integer({ min: 0, max: frames })).map(([a, b]) => ({ frames, span: { start: Math.min(a, b), end: Math.max(a, b) } })),
  );

  it('widens by the slack on each side, never past the utterance', () => {
    fc.assert(
      fc.property(span, fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 }), ({ frames, span }, before, after) => {
        const wide = widenSpan(span, { before, after }, frames);
        expect(wide).toEqual({ start: Math.max(0, span.start - before), end: Math.min(frames, span.end + after) });
        expect(0 <= wide.start && wide.start <= span.start && span.end <= wide.end && wide.end <= frames).toBe(true);
      }),
    );
    expect(widenSpan({ start: 30, end: 90 }, { before: 10, after: 5 }, 93)).toEqual({ start: 20, end: 93 });
  });

  it('covers both spans and nothing beyond them', () => {
    fc.assert(
      fc.property(span, span, ({ span: a }, { span: b }) => {
        const both = coveringSpan(a, b);
        expect(both).toEqual({ start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) });
        expect(coveringSpan(b, a)).toEqual(both);
      }),
    );
  });
});
