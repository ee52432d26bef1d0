/**
 * fast-check arbitraries for audio: tones, noise, silence and speech-like
 * bursts at any sample rate, for properties of whatever reads samples (a
 * feature extractor, a resampler, a silence trimmer, a codec). Samples are
 * made from a few drawn numbers and a seed, not drawn one by one: seconds of
 * audio cost nothing to generate, shrink by their recipe (shorter, quieter,
 * fewer partials) and print as it (`recipe`), not as thousands of floats.
 */
import fc from 'fast-check';
import { mulberry32 } from '../ops/random.js';

/** The sample rates recordings come at; {@link sampleRate} draws these more often than odd ones. */
export const COMMON_SAMPLE_RATES: readonly number[] = [8000, 11025, 16000, 22050, 32000, 44100, 48000, 96000];

/**
 * Sample rates in Hz: one of {@link COMMON_SAMPLE_RATES} (3 times in 4) or
 * any whole number of Hz, within [min, max] (default [1000, 96000]; 1000 Hz
 * is the lowest rate lstmp's decodeWav accepts).
 *
 * @example fc.sample(sampleRate(), 5) // e.g. [16000, 44100, 7919, 8000, 48000]
 */
export function sampleRate(bounds: { readonly min?: number; readonly max?: number } = {}): fc.Arbitrary<number> {
  const [min, max] = [bounds.min ?? 1000, bounds.max ?? 96000];
  if (!(Number.isInteger(min) && Number.isInteger(max) && min >= 1 && min <= max)) throw new RangeError(`sample rates in [${min}, ${max}]: need whole numbers 1 ≤ min ≤ max`);
  const common = COMMON_SAMPLE_RATES.filter((rate) => rate >= min && rate <= max);
  const any = fc.integer({ min, max });
  return common.length === 0 ? any : fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...common) }, { weight: 1, arbitrary: any });
}

/** What the audio arbitraries make. */
export type AudioKind = 'tone' | 'noise' | 'silence' | 'speech-like';

/** Mono audio as lstmp's codecs and features take it. */
export interface AudioCase {
  readonly kind: AudioKind;
  /** mono, every value within ±level */
  readonly samples: Float32Array;
  /** Hz */
  readonly sampleRate: number;
  /** the largest |sample| the recipe allows, in [0, peak] (see {@link AudioBounds}) */
  readonly level: number;
  /** how it was made, in words and numbers: what a counterexample prints instead of the samples */
  readonly recipe: string;
}

/** {@link toneAudio}'s audio, with its sines. */
export interface ToneCase extends AudioCase {
  readonly kind: 'tone';
  /** samples[n] = Σ amplitude·sin(2π·hz·n/sampleRate + phase), rounded to float32; the amplitudes sum to `level` */
  readonly partials: readonly { readonly hz: number; readonly amplitude: number; readonly phase: number }[];
}

/** {@link speechLikeAudio}'s audio, with where its bursts are. */
export interface SpeechLikeCase extends AudioCase {
  readonly kind: 'speech-like';
  /** [start, end) sample ranges, in order and apart; every sample outside them is exactly 0 */
  readonly bursts: readonly (readonly [number, number])[];
}

/** Bounds shared by the audio arbitraries. */
export interface AudioBounds {
  /** Hz; default {@link sampleRate}() */
  readonly sampleRate?: fc.Arbitrary<number>;
  /** the shortest audio in seconds: at least ⌈minSeconds·rate⌉ samples; default 0 (empty audio included) */
  readonly minSeconds?: number;
  /** the longest audio in seconds: at most ⌊maxSeconds·rate⌋ samples; default 0.5 */
  readonly maxSeconds?: number;
  /** the largest |sample|, in (0, 1]; default 0.9 */
  readonly peak?: number;
}

/**
 * A rate, a length within the duration bounds and a seed, then `make`: the
 * frame every audio arbitrary shares. The length shrinks towards the
 * shortest allowed.
 */
function audioOf<T extends AudioCase>(bounds: AudioBounds, make: (rate: number, length: number, peak: number) => fc.Arbitrary<T>): fc.Arbitrary<T> {
  const { minSeconds = 0, maxSeconds = 0.5, peak = 0.9 } = bounds;
  if (!(minSeconds >= 0 && maxSeconds >= minSeconds && Number.isFinite(maxSeconds))) throw new RangeError(`durations in [${minSeconds}, ${maxSeconds}] s: need 0 ≤ min ≤ max < ∞`);
  if (!(peak > 0 && peak <= 1)) throw new RangeError(`peak must be in (0, 1], got ${peak}`);
  return (bounds.sampleRate ?? sampleRate()).chain((rate) => {
    const shortest = Math.ceil(minSeconds * rate);
    return fc.integer({ min: shortest, max: Math.max(shortest, Math.floor(maxSeconds * rate)) }).chain((length) => make(rate, length, peak));
  });
}

/** The largest float32 at or below `peak`: float64 values clamped to ±it stay within ±peak once stored as float32. */
const float32Below = (peak: number) => (Math.fround(peak) > peak ? Math.fround(peak) - 2 ** (Math.floor(Math.log2(peak)) - 23) : Math.fround(peak));

/** The audio with `values` rounded to float32, clamped to ±level so that rounding cannot take one past it. */
function finish<T extends AudioCase>(audio: Omit<T, 'samples'>, values: Float64Array): T {
  const bound = float32Below(audio.level);
  const samples = Float32Array.from(values, (x) => Math.max(-bound, Math.min(bound, x)));
  return { ...audio, samples, [fc.toStringMethod]: () => `${audio.kind} audio: ${audio.recipe}` } as unknown as T;
}

const at = (rate: number, length: number) => `${length} samples at ${rate} Hz`;

/**
 * Tones: 1 to 3 sines at any frequency in (0, 0.99·Nyquist), each at its own
 * phase, their amplitudes summing to a level in [0, peak] (so no sample
 * exceeds it). A tone at 0.99·Nyquist is where resamplers and filters fail.
 *
 * @example
 * // every tone's samples are the sum of its partials (to float32 rounding)
 * fc.assert(fc.property(toneAudio({ maxSeconds: 0.1 }), ({ samples, sampleRate, partials }) =>
 *   samples.every((x, n) => Math.abs(x - partials.reduce((s, p) => s + p.amplitude * Math.sin((2 * Math.PI * p.hz * n) / sampleRate + p.phase), 0)) < 1e-7),
 * ));
 */
export function toneAudio(bounds: AudioBounds = {}): fc.Arbitrary<ToneCase> {
  return audioOf(bounds, (rate, length, peak) =>
    fc
      .record({
        level: fc.double({ min: 0, max: peak, noNaN: true }),
        partials: fc.array(fc.record({ ofNyquist: fc.double({ min: 1e-4, max: 0.99, noNaN: true }), phase: fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }) }), { minLength: 1, maxLength: 3 }),
      })
      .map(({ level, partials }) => {
        const sines = partials.map((p) => ({ hz: (p.ofNyquist * rate) / 2, amplitude: level / partials.length, phase: p.phase }));
        const values = Float64Array.from({ length }, (_, i) => sines.reduce((sum, p) => sum + p.amplitude * Math.sin((2 * Math.PI * p.hz * i) / rate + p.phase), 0));
        const recipe = `${at(rate, length)}, ${sines.map((p) => `${p.hz.toFixed(2)} Hz`).join(' + ')}, level ${level}`;
        return finish<ToneCase>({ kind: 'tone', sampleRate: rate, level, recipe, partials: sines }, values);
      }),
  );
}

/**
 * White noise from a seed: uniform in ±level, or Gaussian of standard
 * deviation level/3 clipped at ±level, with level in [0, peak].
 *
 * @example fc.sample(noiseAudio({ sampleRate: fc.constant(16000), maxSeconds: 1 }), 1)[0].samples.length // ≤ 16000
 */
export function noiseAudio(bounds: AudioBounds = {}): fc.Arbitrary<AudioCase> {
  return audioOf(bounds, (rate, length, peak) =>
    fc.record({ level: fc.double({ min: 0, max: peak, noNaN: true }), gaussian: fc.boolean(), seed: fc.integer() }).map(({ level, gaussian, seed }) => {
      const random = mulberry32(seed);
      // Box–Muller: one normal number from each pair of uniforms.
      const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      const values = Float64Array.from({ length }, () => (gaussian ? Math.max(-level, Math.min(level, (level / 3) * normal())) : level * (2 * random() - 1)));
      const recipe = `${at(rate, length)}, ${gaussian ? 'Gaussian' : 'uniform'} level ${level}, seed ${seed}`;
      return finish<AudioCase>({ kind: 'noise', sampleRate: rate, level, recipe }, values);
    }),
  );
}

/**
 * Silence: digital zeros, or (half the time) noise below one 16-bit step
 * (|x| < 2^−15), which quantises to zeros and sits at the floor of log
 * energies: where a floor or a division by the energy goes wrong.
 *
 * @example fc.sample(silentAudio(), 1)[0].samples.every((x) => Math.abs(x) < 2 ** -15) // true
 */
export function silentAudio(bounds: AudioBounds = {}): fc.Arbitrary<AudioCase> {
  return audioOf(bounds, (rate, length, peak) =>
    fc.record({ digital: fc.boolean(), level: fc.double({ min: 0, max: Math.min(peak, 2 ** -15), maxExcluded: true, noNaN: true }), seed: fc.integer() }).map(({ digital, level, seed }) => {
      const random = mulberry32(seed);
      const values = digital ? new Float64Array(length) : Float64Array.from({ length }, () => level * (2 * random() - 1));
      const recipe = `${at(rate, length)}, ${digital ? 'digital zeros' : `noise of level ${level}, seed ${seed}`}`;
      return finish<AudioCase>({ kind: 'silence', sampleRate: rate, level: digital ? 0 : level, recipe }, values);
    }),
  );
}

/**
 * Something shaped like speech: voiced bursts of 40–300 ms between pauses of
 * 20–300 ms of digital silence (a leading pause takes at most half the
 * audio, so there is always a burst). A burst is a harmonic series on a
 * fundamental of 80–300 Hz (capped at rate/8) gliding by up to ±20 % over
 * the burst, harmonics k at amplitude 1/k up to 4 kHz or 0.45·rate, whichever
 * is lower, under a raised-cosine envelope (sin² over the burst), scaled to
 * a level in (0, peak]. Burst and pause lengths come from a seed; `bursts`
 * says where each burst is, so a voice activity detector or a silence
 * trimmer has an answer to be checked against.
 *
 * @example
 * // a silence trimmer keeps from the first burst's start to the last one's end
 * fc.assert(fc.property(speechLikeAudio({ minSeconds: 0.5, maxSeconds: 2 }), ({ samples, bursts }) => {
 *   const kept = trimSilence(samples); // yours
 *   return kept.length === bursts.at(-1)![1] - bursts[0][0];
 * }));
 */
export function speechLikeAudio(bounds: AudioBounds = {}): fc.Arbitrary<SpeechLikeCase> {
  return audioOf(bounds, (rate, length, peak) =>
    fc
      .record({
        level: fc.double({ min: 0.01 * peak, max: peak, noNaN: true }),
        f0: fc.double({ min: 80, max: 300, noNaN: true }).map((f0) => Math.min(f0, rate / 8)),
        glide: fc.double({ min: -0.2, max: 0.2, noNaN: true }),
        startsVoiced: fc.boolean(),
        seed: fc.integer(),
      })
      .map(({ level, f0, glide, startsVoiced, seed }) => {
        const random = mulberry32(seed);
        const bursts: [number, number][] = [];
        for (let position = 0, voiced = startsVoiced; position < length; voiced = !voiced) {
          const [shortest, longest] = voiced ? [0.04, 0.3] : [0.02, 0.3];
          const drawn = Math.max(1, Math.round(rate * (shortest + (longest - shortest) * random())));
          // a leading pause takes at most half the audio: speech-like audio always has a burst
          const span = position === 0 && !voiced ? Math.min(drawn, Math.floor(length / 2)) : drawn;
          if (voiced) bursts.push([position, Math.min(length, position + span)]);
          position += span;
        }
        // Harmonics whose highest glide stays below the cutoff: no aliasing at any rate.
        const cutoff = Math.min(4000, 0.45 * rate);
        const harmonics = Math.max(1, Math.floor(cutoff / (f0 * (1 + Math.abs(glide)))));
        const weight = level / Array.from({ length: harmonics }, (_, k) => 1 / (k + 1)).reduce((a, b) => a + b, 0);
        const values = new Float64Array(length);
        for (const [start, end] of bursts) {
          let phase = 0;
          for (let i = start; i < end; i++) {
            const s = (i - start + 0.5) / (end - start);
            phase += (2 * Math.PI * f0 * (1 + glide * (s - 0.5))) / rate;
            let sum = 0;
            for (let k = 1; k <= harmonics; k++) sum += Math.sin(k * phase) / k;
            values[i] = weight * Math.sin(Math.PI * s) ** 2 * sum;
          }
        }
        const recipe = `${at(rate, length)}, ${bursts.length} bursts, f0 ${f0.toFixed(1)} Hz gliding ${(100 * glide).toFixed(0)} %, ${harmonics} harmonics, level ${level}, seed ${seed}`;
        return finish<SpeechLikeCase>({ kind: 'speech-like', sampleRate: rate, level, recipe, bursts }, values);
      }),
  );
}

/**
 * Any of the four: tones, noise, silence and speech-like bursts, equally
 * often, within the same bounds.
 *
 * @example
 * // lstmp's fbank gives features at or above the log floor, ln ε, for any audio at 16 kHz
 * fc.assert(fc.property(audio({ sampleRate: fc.constant(16000) }), ({ samples }) =>
 *   fbank(fbankPlan(), samples).data.every((x) => x >= Math.fround(Math.log(2 ** -23))),
 * ));
 */
export function audio(bounds: AudioBounds = {}): fc.Arbitrary<AudioCase> {
  return fc.oneof(toneAudio(bounds), noiseAudio(bounds), silentAudio(bounds), speechLikeAudio(bounds));
}
