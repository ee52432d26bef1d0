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
 * Everything resampling between two rates needs, computed once: the filter
 * and, unless the table would be huge, its taps for every phase. Plans are
 * read-only: one serves any number of signals, batch or streamed.
 */
export interface ResamplePlan {
  readonly fromRate: number;
  readonly toRate: number;
  /** the filter repeats every inputsPerUnit inputs and outputsPerUnit outputs */
  readonly inputsPerUnit: number;
  readonly outputsPerUnit: number;
  readonly filter: SincFilter;
  /** per phase: its first input relative to the unit's, and how many taps (null: taps computed per output) */
  readonly first: Int32Array | null;
  readonly counts: Int32Array | null;
  /** [outputsPerUnit, filter.maxTaps], or one row of scratch when taps are computed per output */
  readonly taps: Float32Array;
}

/**
 * Plans resampling from `fromRate` to `toRate` (whole numbers ≥ 1, not
 * equal). A plan for one signal of known length may tabulate only the
 * phases its `outputs` use (a short clip at a strange rate pair need not
 * pay for all of them); it then serves outputs 0 … outputs − 1 alone.
 *
 * @example resamplePart(resamplePlan(8000, 16000), samples, 0, samples.length, 0, n, out, 0)
 */
export function resamplePlan(fromRate: number, toRate: number, outputs = Infinity): ResamplePlan {
  checkRates(fromRate, toRate);
  if (fromRate === toRate) throw new RangeError(`nothing to resample: both rates are ${fromRate} Hz`);
  const g = gcd(fromRate, toRate);
  const inputsPerUnit = fromRate / g;
  const outputsPerUnit = toRate / g;
  const filter = new SincFilter(fromRate, toRate);
  const phases = Math.min(outputsPerUnit, outputs);
  if (phases * filter.maxTaps > MAX_TABLE) {
    return { fromRate, toRate, inputsPerUnit, outputsPerUnit, filter, first: null, counts: null, taps: new Float32Array(filter.maxTaps) };
  }
  const first = new Int32Array(phases);
  const counts = new Int32Array(phases);
  const taps = new Float32Array(phases * filter.maxTaps);
  for (let p = 0; p < phases; p++) {
    first[p] = filter.firstInput(p);
    counts[p] = filter.taps(p, first[p], taps, p * filter.maxTaps);
  }
  return { fromRate, toRate, inputsPerUnit, outputsPerUnit, filter, first, counts, taps };
}

/** How many outputs a signal of `inputs` samples resamples to: every output time k/toRate before its end. */
export function resampledLength(plan: ResamplePlan, inputs: number): number {
  return Math.ceil((inputs * plan.outputsPerUnit) / plan.inputsPerUnit);
}

/** The last input sample output k reads (its value is needed before output k can be computed). */
export function lastInputOf(plan: ResamplePlan, k: number): number {
  return plan.filter.lastInput(k);
}

/** The first input sample output k reads (inputs before it can be forgotten once output k is next). */
export function firstInputOf(plan: ResamplePlan, k: number): number {
  return plan.filter.firstInput(k);
}

/**
 * Outputs k = firstOutput … firstOutput + outputs − 1 of the resampled
 * signal, written to out[outOffset …], from a window of its input: x holds
 * input samples xStart … xStart + x.length − 1, and the signal is taken to
 * end where x ends (samples beyond, and before 0, count as zero). A caller
 * streaming the input keeps every sample the outputs read (from
 * {@link firstInputOf}) and asks only for outputs whose {@link lastInputOf}
 * has arrived, or for the rest once the input has ended; the sums are the
 * same, in the same order, as {@link resample}'s of the whole signal.
 */
export function resamplePart(
  plan: ResamplePlan,
  x: Float32Array,
  xStart: number,
  firstOutput: number,
  outputs: number,
  out: Float32Array,
  outOffset: number,
): void {
  const { inputsPerUnit, outputsPerUnit, filter, first, counts, taps } = plan;
  if (first !== null && counts !== null) {
    let unit = Math.floor(firstOutput / outputsPerUnit);
    let p = firstOutput - unit * outputsPerUnit;
    for (let k = 0; k < outputs; k++) {
      out[outOffset + k] = convolve(x, xStart, unit * inputsPerUnit + first[p], taps, p * filter.maxTaps, counts[p]);
      if (++p === outputsPerUnit) {
        p = 0;
        unit++;
      }
    }
    return;
  }
  for (let k = firstOutput; k < firstOutput + outputs; k++) {
    const start = filter.firstInput(k);
    out[outOffset + k - firstOutput] = convolve(x, xStart, start, taps, 0, filter.taps(k, start, taps, 0));
  }
}

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
  checkRates(fromRate, toRate);
  if (fromRate === toRate) return samples.slice();
  const g = gcd(fromRate, toRate);
  const outputs = Math.ceil((samples.length * (toRate / g)) / (fromRate / g));
  const plan = resamplePlan(fromRate, toRate, outputs);
  const out = new Float32Array(outputs);
  resamplePart(plan, samples, 0, 0, out.length, out, 0);
  return out;
}

function checkRates(fromRate: number, toRate: number): void {
  for (const rate of [fromRate, toRate]) {
    if (!Number.isSafeInteger(rate) || rate < 1) throw new RangeError(`sample rates must be whole numbers ≥ 1, got ${rate}`);
  }
}

/** Σ taps[offset + j]·x(start + j) over j < count, where x(i) is x[i − xStart] and inputs before 0 or past x's end are zero. */
function convolve(x: Float32Array, xStart: number, start: number, taps: Float32Array, offset: number, count: number): number {
  const from = Math.max(0, -start);
  const to = Math.min(count, xStart + x.length - start);
  const at = start - xStart;
  let sum = 0;
  for (let j = from; j < to; j++) sum += taps[offset + j] * x[at + j];
  return sum;
}

/** The windowed-sinc interpolation filter between two rates. */
export class SincFilter {
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

  /** The last input index output k reads: ⌊(k/toRate + halfWidth)·fromRate⌋. */
  lastInput(k: number): number {
    return Math.floor((k / this.toRate + this.halfWidth) * this.fromRate);
  }

  /** Writes the taps of output k, from input `first` on, at taps[offset ..]; returns how many. */
  taps(k: number, first: number, taps: Float32Array, offset: number): number {
    const time = k / this.toRate;
    const count = this.lastInput(k) - first + 1;
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
