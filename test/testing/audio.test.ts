import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { audio, COMMON_SAMPLE_RATES, noiseAudio, sampleRate, silentAudio, speechLikeAudio, toneAudio, type AudioBounds, type AudioCase } from '../../src/testing/audio.js';

// The audio arbitraries held to what their doc comments promise.

const makers = { toneAudio, noiseAudio, silentAudio, speechLikeAudio, audio };

describe('sampleRate', () => {
  it('draws whole numbers of Hz within its bounds, the common rates and odd ones', () => {
    const rates = fc.sample(sampleRate(), { numRuns: 2000, seed: 1 });
    expect(rates.every((r) => Number.isInteger(r) && r >= 1000 && r <= 96000)).toBe(true);
    for (const common of [8000, 11025, 16000, 22050, 44100, 48000]) expect(rates).toContain(common);
    expect(rates.filter((r) => !COMMON_SAMPLE_RATES.includes(r)).length).toBeGreaterThan(200);
    const narrow = fc.sample(sampleRate({ min: 8000, max: 16000 }), { numRuns: 500, seed: 2 });
    expect(narrow.every((r) => r >= 8000 && r <= 16000)).toBe(true);
    expect(new Set(narrow.filter((r) => COMMON_SAMPLE_RATES.includes(r)))).toEqual(new Set([8000, 11025, 16000]));
  });

  it('refuses bounds with no whole rate in them', () => {
    for (const bounds of [{ min: 0 }, { min: 2000, max: 1000 }, { min: 1000.5 }]) expect(() => sampleRate(bounds)).toThrow(RangeError);
  });
});

describe.each(Object.entries(makers))('%s', (name, make) => {
  const bounds = fc.record({
    rate: fc.oneof(sampleRate(), fc.constantFrom(8000, 11025, 16000, 22050, 44100, 48000)),
    minSeconds: fc.constantFrom(0, 0.01, 0.05),
    longer: fc.constantFrom(0, 0.02, 0.1),
    peak: fc.constantFrom(1, 0.9, 0.3, 1e-3),
  });

  it('gives mono float32 audio at the rate drawn, of a length within the duration bounds, no sample beyond ±level ≤ peak', () => {
    fc.assert(
      fc.property(
        bounds.chain((b) => {
          const options: AudioBounds = { sampleRate: fc.constant(b.rate), minSeconds: b.minSeconds, maxSeconds: b.minSeconds + b.longer, peak: b.peak };
          return fc.tuple(fc.constant(b), make(options));
        }),
        ([b, a]: [{ rate: number; minSeconds: number; longer: number; peak: number }, AudioCase]) => {
          expect(a.sampleRate).toBe(b.rate);
          expect(a.samples).toBeInstanceOf(Float32Array);
          expect(a.samples.length).toBeGreaterThanOrEqual(Math.ceil(b.minSeconds * b.rate));
          expect(a.samples.length).toBeLessThanOrEqual(Math.max(Math.ceil(b.minSeconds * b.rate), Math.floor((b.minSeconds + b.longer) * b.rate)));
          expect(a.level).toBeGreaterThanOrEqual(0);
          expect(a.level).toBeLessThanOrEqual(b.peak);
          for (const x of a.samples) if (!(Math.abs(x) <= a.level)) expect.fail(`sample ${x} beyond ±${a.level} in ${a.recipe}`);
          if (name !== 'audio') expect(a.kind).toBe({ toneAudio: 'tone', noiseAudio: 'noise', silentAudio: 'silence', speechLikeAudio: 'speech-like' }[name]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('prints as its recipe, not its samples, and shrinks to the shortest audio allowed', () => {
    const [a] = fc.sample(make({ minSeconds: 0.01 }), { numRuns: 1, seed: 3 });
    expect(fc.stringify(a)).toMatch(/^(tone|noise|silence|speech-like) audio: \d+ samples at \d+ Hz/);
    const failure = fc.check(
      fc.property(make({ sampleRate: fc.constant(16000), minSeconds: 0.01, maxSeconds: 0.2 }), (x) => x.samples.length < 1000),
      { seed: 4 },
    );
    expect(failure.failed).toBe(true);
    expect(failure.counterexample![0].samples.length).toBe(1000);
  });
});

describe('audio', () => {
  it('draws each kind', () => {
    const kinds = new Set(fc.sample(audio({ maxSeconds: 0.01 }), { numRuns: 200, seed: 5 }).map((a) => a.kind));
    expect(kinds).toEqual(new Set(['tone', 'noise', 'silence', 'speech-like']));
  });

  it('refuses bounds it cannot honour', () => {
    for (const bounds of [{ minSeconds: 1, maxSeconds: 0.5 }, { peak: 0 }, { peak: 1.5 }, { maxSeconds: Infinity }]) expect(() => audio(bounds)).toThrow(RangeError);
  });
});

describe('toneAudio', () => {
  it('is its partials: sines below Nyquist whose amplitudes sum to its level, each sample their float64 sum rounded to float32', () => {
    fc.assert(
      fc.property(toneAudio({ maxSeconds: 0.02 }), (a) => {
        expect(a.partials.length).toBeGreaterThanOrEqual(1);
        expect(a.partials.length).toBeLessThanOrEqual(3);
        for (const p of a.partials) expect(p.hz > 0 && p.hz < a.sampleRate / 2).toBe(true);
        expect(a.partials.reduce((s, p) => s + p.amplitude, 0)).toBeCloseTo(a.level, 12);
        a.samples.forEach((x, n) => {
          const exact = a.partials.reduce((s, p) => s + p.amplitude * Math.sin((2 * Math.PI * p.hz * n) / a.sampleRate + p.phase), 0);
          // half a float32 ulp when rounded; one float32 step (2⁻²³ relative, 2⁻¹⁴⁹ among the subnormals) where
          // the clamp to the float32 at or below ±level took it
          if (Math.abs(x - exact) > 2 ** -23 * Math.abs(exact) + 2 ** -149) expect.fail(`sample ${n}: ${x}, want ${exact}`);
        });
      }),
      { numRuns: 100 },
    );
  });
});

describe('silentAudio', () => {
  it('is digital zeros or noise below one 16-bit step, both often', () => {
    const draws = fc.sample(silentAudio({ maxSeconds: 0.01 }), { numRuns: 200, seed: 6 });
    expect(draws.every((a) => a.level < 2 ** -15 && a.samples.every((x) => Math.abs(x) < 2 ** -15))).toBe(true);
    const zeros = draws.filter((a) => a.samples.every((x) => x === 0)).length;
    expect(zeros).toBeGreaterThan(50);
    expect(zeros).toBeLessThan(190);
  });
});

describe('noiseAudio', () => {
  it('is noise: near zero mean and a spread near its level, over long draws', () => {
    fc.assert(
      fc.property(noiseAudio({ sampleRate: fc.constant(16000), minSeconds: 0.5, maxSeconds: 0.5, peak: 1 }), (a) => {
        const level = a.level;
        fc.pre(level > 0.01);
        const mean = a.samples.reduce((s, x) => s + x, 0) / a.samples.length;
        const rms = Math.sqrt(a.samples.reduce((s, x) => s + x * x, 0) / a.samples.length);
        expect(Math.abs(mean)).toBeLessThan(0.05 * level);
        // uniform in ±level: rms level/√3; Gaussian of σ = level/3, clipped at 3σ: just under level/3
        expect(rms).toBeCloseTo(a.recipe.includes('uniform') ? level / Math.sqrt(3) : level / 3, 1);
      }),
      { numRuns: 30 },
    );
  });
});

describe('speechLikeAudio', () => {
  it('is bursts of 40–300 ms between pauses of 20–300 ms of digital silence, each burst sounding', () => {
    fc.assert(
      fc.property(speechLikeAudio({ minSeconds: 0.2, maxSeconds: 1.5 }), (a) => {
        const ms = (samples: number) => (1000 * samples) / a.sampleRate;
        let end = 0;
        a.bursts.forEach(([start, stop], i) => {
          expect(start).toBeGreaterThanOrEqual(i === 0 ? 0 : end + 1);
          expect(stop).toBeGreaterThan(start);
          expect(stop).toBeLessThanOrEqual(a.samples.length);
          if (i > 0) expect(ms(start - end)).toBeGreaterThanOrEqual(20 - ms(1));
          expect(ms(stop - start)).toBeLessThanOrEqual(300 + ms(1));
          if (stop < a.samples.length) expect(ms(stop - start)).toBeGreaterThanOrEqual(40 - ms(1));
          for (let n = end; n < start; n++) if (a.samples[n] !== 0) expect.fail(`sample ${n} is ${a.samples[n]} in a pause`);
          expect(a.samples.subarray(start, stop).some((x) => x !== 0)).toBe(true);
          end = stop;
        });
        expect(a.samples.subarray(end).every((x) => x === 0)).toBe(true);
        expect(a.bursts.length).toBeGreaterThan(0);
      }),
      { numRuns: 60 },
    );
  });
});

describe('levels among float32 subnormals', () => {
  // Below 2^−126 float32 steps are 2^−149 apart: a level between two of them once rounded its clamp up past it
  // (noise of level 3.5e-45 gave a sample of 4.2e-45). A peak of 2.79 steps, which float32 rounds up to 3.
  it.each([['noiseAudio', noiseAudio], ['silentAudio', silentAudio]] as const)('%s keeps every sample within ±level', (_name, make) => {
    for (const a of fc.sample(make({ peak: 3.9e-45, maxSeconds: 0.01 }), { numRuns: 300, seed: 7 })) {
      for (const x of a.samples) if (!(Math.abs(x) <= a.level)) expect.fail(`sample ${x} beyond ±${a.level} in ${a.recipe}`);
    }
  });
});
