/**
 * Zero crossings of the sinc on each side of an output sample. With the
 * Kaiser window below, the transition band is about 5·cutoff/ZERO_CROSSINGS
 * wide (≈ 1.2 kHz when resampling to 16 kHz) and the stopband ≈ 80 dB down.
 */
const ZERO_CROSSINGS = 32;
/** Kaiser β for ≈ 80 dB stopband attenuation (β = 0.1102·(A − 8.7)). */
const KAISER_BETA = 7.857;
/** The cutoff as a fraction of the lower Nyquist frequency (Kaldi's and torchaudio's rolloff). */
const ROLLOFF = 0.99;
/** Above this many filter taps in all phases (32 MB), taps are computed per output sample instead of tabulated. */
const MAX_TABLE = 1 << 23;

/**
 * Band-limited resampling by windowed-sinc interpolation, Kaldi's
 * LinearResample with a Kaiser window in place of its Hann (for a deeper
 * stopband): every output sample at time k/toRate is
 * Σ_j x[j]·h(j/fromRate − k/toRate)/fromRate with
 * h(t) = 2f_c·sinc(2f_c·t)·kaiser(t), cutoff f_c = 0.99·min(fromRate, toRate)/2,
 * over the input samples within ±ZERO_CROSSINGS/(2f_c) seconds; samples
 * beyond either end count as zero.
 *
 * The filter repeats every fromRate/g inputs and toRate/g outputs
 * (g = gcd(fromRate, toRate)), so only toRate/g phases of taps are computed
 * (160 for 44100 → 16000); for strange rate pairs whose table would be huge
 * the taps are computed per output sample instead (slow, bounded memory).
 *
 * The output has ⌈n·toRate/fromRate⌉ samples: every output time k/toRate
 * before the end of the input n/fromRate, Kaldi's convention when flushing.
 * Equal rates give a copy.
 *
 * @example resample(audio.samples, 22050, 16000)
 */
export function resample(samples: Float32Array, fromRate: number, toRate: number): Float32Array {
  for (const rate of [fromRate, toRate]) {
    if (!Number.isSafeInteger(rate) || rate < 1) throw new RangeError(`sample rates must be whole numbers ≥ 1, got ${rate}`);
  }
  if (fromRate === toRate) return samples.slice();
  const g = gcd(fromRate, toRate);
  const inputsPerUnit = fromRate / g;
  const outputsPerUnit = toRate / g;
  const outputs = Math.ceil((samples.length * outputsPerUnit) / inputsPerUnit);
  const filter = new SincFilter(fromRate, toRate);
  const out = new Float32Array(outputs);

  const phases = Math.min(outputsPerUnit, outputs);
  if (phases * filter.maxTaps <= MAX_TABLE) {
    const first = new Int32Array(phases);
    const counts = new Int32Array(phases);
    const taps = new Float32Array(phases * filter.maxTaps);
    for (let p = 0; p < phases; p++) {
      first[p] = filter.firstInput(p);
      counts[p] = filter.taps(p, first[p], taps, p * filter.maxTaps);
    }
    for (let k = 0, unit = 0, p = 0; k < outputs; k++) {
      out[k] = convolve(samples, unit * inputsPerUnit + first[p], taps, p * filter.maxTaps, counts[p]);
      if (++p === outputsPerUnit) {
        p = 0;
        unit++;
      }
    }
  } else {
    const taps = new Float32Array(filter.maxTaps);
    for (let k = 0; k < outputs; k++) {
      const start = filter.firstInput(k);
      out[k] = convolve(samples, start, taps, 0, filter.taps(k, start, taps, 0));
    }
  }
  return out;
}

/** Σ taps[offset + j]·x[start + j] over j < count, skipping inputs outside x. */
function convolve(x: Float32Array, start: number, taps: Float32Array, offset: number, count: number): number {
  const from = Math.max(0, -start);
  const to = Math.min(count, x.length - start);
  let sum = 0;
  for (let j = from; j < to; j++) sum += taps[offset + j] * x[start + j];
  return sum;
}

/** The windowed-sinc interpolation filter between two rates. */
class SincFilter {
  private readonly cutoff: number;
  /** Half the filter's extent, in seconds. */
  private readonly halfWidth: number;
  private readonly besselBeta: number;
  /** An upper bound on the input samples one output reads. */
  readonly maxTaps: number;

  constructor(
    private readonly fromRate: number,
    private readonly toRate: number,
  ) {
    this.cutoff = (ROLLOFF * Math.min(fromRate, toRate)) / 2;
    this.halfWidth = ZERO_CROSSINGS / (2 * this.cutoff);
    this.besselBeta = besselI0(KAISER_BETA);
    this.maxTaps = Math.floor(2 * this.halfWidth * fromRate) + 2;
  }

  /** The first input index output k reads: ⌈(k/toRate − halfWidth)·fromRate⌉. */
  firstInput(k: number): number {
    return Math.ceil((k / this.toRate - this.halfWidth) * this.fromRate);
  }

  /** Writes the taps of output k, from input `first` on, at taps[offset ..]; returns how many. */
  taps(k: number, first: number, taps: Float32Array, offset: number): number {
    const time = k / this.toRate;
    const last = Math.floor((time + this.halfWidth) * this.fromRate);
    const count = last - first + 1;
    for (let j = 0; j < count; j++) taps[offset + j] = this.impulse((first + j) / this.fromRate - time) / this.fromRate;
    return count;
  }

  private impulse(t: number): number {
    const ratio = t / this.halfWidth;
    if (Math.abs(ratio) >= 1) return 0;
    const window = besselI0(KAISER_BETA * Math.sqrt(1 - ratio * ratio)) / this.besselBeta;
    const sinc = t === 0 ? 2 * this.cutoff : Math.sin(2 * Math.PI * this.cutoff * t) / (Math.PI * t);
    return sinc * window;
  }
}

/**
 * The modified Bessel function I₀ for x ≥ 0 by Abramowitz & Stegun 9.8.1–9.8.2
 * (relative error < 2e-7, ample for a window): a tenth of the power series'
 * cost, which matters since every filter tap needs one.
 */
function besselI0(x: number): number {
  if (x < 3.75) {
    const y = (x / 3.75) ** 2;
    return 1 + y * (3.5156229 + y * (3.0899424 + y * (1.2067492 + y * (0.2659732 + y * (0.0360768 + y * 0.0045813)))));
  }
  const y = 3.75 / x;
  const poly = 0.39894228 + y * (0.01328592 + y * (0.00225319 + y * (-0.00157565 + y * (0.00916281 + y * (-0.02057706 + y * (0.02635537 + y * (-0.01647633 + y * 0.00392377)))))));
  return (Math.exp(x) / Math.sqrt(x)) * poly;
}

function gcd(a: number, b: number): number {
  while (b !== 0) {
    const r = a % b;
    a = b;
    b = r;
  }
  return a;
}
