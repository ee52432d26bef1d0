/**
 * A real FFT of a fixed power-of-two size, planned once: the twiddle factors
 * and the bit-reversal permutation are computed here, so a transform
 * allocates nothing.
 */
export interface RealFft {
  readonly size: number;
  /** cos(2πk/size) and sin(2πk/size) for k in [0, size/2). */
  readonly cos: Float64Array;
  readonly sin: Float64Array;
  /** The bit-reversal permutation of the size/2-point complex transform. */
  readonly bitReverse: Uint32Array;
}

/**
 * Plans a real FFT of `size` points (a power of two ≥ 2).
 *
 * @example const plan = realFftPlan(512)
 */
export function realFftPlan(size: number): RealFft {
  if (!Number.isInteger(size) || size < 2 || (size & (size - 1)) !== 0) {
    throw new RangeError(`FFT size must be a power of two ≥ 2, got ${size}`);
  }
  const half = size / 2;
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  for (let k = 0; k < half; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / size);
    sin[k] = Math.sin((2 * Math.PI * k) / size);
  }
  const bitReverse = new Uint32Array(half);
  const bits = Math.log2(half);
  for (let i = 0; i < half; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >>> b) & 1) << (bits - 1 - b);
    bitReverse[i] = r;
  }
  return { size, cos, sin, bitReverse };
}

/**
 * The DFT X[k] = Σ x[n]·e^(−2πikn/N) of the N = plan.size real values in
 * `data`, in place, packed as Kaldi and Numerical Recipes pack it:
 * data[0] = X[0], data[1] = X[N/2] (both real), then Re X[k], Im X[k] at
 * 2k, 2k+1 for 0 < k < N/2. Computed as an N/2-point complex FFT of the even
 * and odd samples taken as real and imaginary parts, then split.
 *
 * @example realFft(plan, frame); powerSpectrum(frame, plan.size, power)
 */
export function realFft(plan: RealFft, data: Float64Array): void {
  const { size, cos, sin, bitReverse } = plan;
  const m = size / 2;
  complexFft(m, data, cos, sin, bitReverse, size);

  const z0r = data[0];
  const z0i = data[1];
  data[0] = z0r + z0i;
  data[1] = z0r - z0i;
  for (let k = 1; k <= m / 2; k++) {
    const j = m - k;
    const ar = data[2 * k];
    const ai = data[2 * k + 1];
    const br = data[2 * j];
    const bi = data[2 * j + 1];
    // Z[k] = E + i·O where E, O are the DFTs of the even and odd samples.
    const er = 0.5 * (ar + br);
    const ei = 0.5 * (ai - bi);
    const or = 0.5 * (ai + bi);
    const oi = -0.5 * (ar - br);
    // t = e^(−2πik/N)·O; X[k] = E + t and X[m−k] = conj(E − t).
    const tr = cos[k] * or + sin[k] * oi;
    const ti = cos[k] * oi - sin[k] * or;
    data[2 * k] = er + tr;
    data[2 * k + 1] = ei + ti;
    data[2 * j] = er - tr;
    data[2 * j + 1] = ti - ei;
  }
}

/** In-place radix-2 FFT of m interleaved complex values; twiddles come from the size-point table. */
function complexFft(m: number, data: Float64Array, cos: Float64Array, sin: Float64Array, bitReverse: Uint32Array, size: number): void {
  for (let i = 0; i < m; i++) {
    const r = bitReverse[i];
    if (r > i) {
      const re = data[2 * i];
      const im = data[2 * i + 1];
      data[2 * i] = data[2 * r];
      data[2 * i + 1] = data[2 * r + 1];
      data[2 * r] = re;
      data[2 * r + 1] = im;
    }
  }
  for (let span = 1; span < m; span *= 2) {
    const stride = size / (2 * span);
    for (let j = 0; j < span; j++) {
      const wr = cos[j * stride];
      const wi = -sin[j * stride];
      for (let a = j; a < m; a += 2 * span) {
        const b = a + span;
        const xr = data[2 * b] * wr - data[2 * b + 1] * wi;
        const xi = data[2 * b] * wi + data[2 * b + 1] * wr;
        data[2 * b] = data[2 * a] - xr;
        data[2 * b + 1] = data[2 * a + 1] - xi;
        data[2 * a] += xr;
        data[2 * a + 1] += xi;
      }
    }
  }
}

/**
 * |X[k]|² for k in [0, size/2] from a spectrum packed by {@link realFft}, into
 * `power` (length ≥ size/2 + 1).
 */
export function powerSpectrum(packed: Float64Array, size: number, power: Float64Array): void {
  const m = size / 2;
  power[0] = packed[0] * packed[0];
  power[m] = packed[1] * packed[1];
  for (let k = 1; k < m; k++) power[k] = packed[2 * k] * packed[2 * k] + packed[2 * k + 1] * packed[2 * k + 1];
}

/**
 * The inverse of {@link realFft}: the N = plan.size real values whose DFT is
 * the packed spectrum in `data`, in place (x[n] = (1/N)·Σ X[k]·e^(2πikn/N)).
 * The spectrum is unpacked into the N/2-point complex transform of the even
 * and odd samples, which one inverse complex FFT turns back into them.
 *
 * @example realFft(plan, x); inverseRealFft(plan, x) // x as it was, to rounding
 */
export function inverseRealFft(plan: RealFft, data: Float64Array): void {
  const { size, cos, sin, bitReverse } = plan;
  const m = size / 2;
  const x0 = data[0];
  const xm = data[1];
  data[0] = 0.5 * (x0 + xm);
  data[1] = 0.5 * (x0 - xm);
  for (let k = 1; k <= m / 2; k++) {
    const j = m - k;
    const ar = data[2 * k];
    const ai = data[2 * k + 1];
    const br = data[2 * j];
    const bi = data[2 * j + 1];
    // E[k] = (X[k] + conj X[m−k]) / 2; O[k] = (X[k] − conj X[m−k]) / 2 · e^(2πik/N); Z[k] = E[k] + i·O[k].
    const er = 0.5 * (ar + br);
    const ei = 0.5 * (ai - bi);
    const dr = 0.5 * (ar - br);
    const di = 0.5 * (ai + bi);
    const or = dr * cos[k] - di * sin[k];
    const oi = dr * sin[k] + di * cos[k];
    data[2 * k] = er - oi;
    data[2 * k + 1] = ei + or;
    // Z[m−k] = conj E[k] + i·conj O[k].
    data[2 * j] = er + oi;
    data[2 * j + 1] = or - ei;
  }
  // The inverse complex transform: conjugate, forward transform, conjugate, scale.
  for (let i = 0; i < m; i++) data[2 * i + 1] = -data[2 * i + 1];
  complexFft(m, data, cos, sin, bitReverse, size);
  for (let i = 0; i < m; i++) {
    data[2 * i] /= m;
    data[2 * i + 1] = -data[2 * i + 1] / m;
  }
}
