import { createNativeKernels, nativeIsas } from '../../ops/kernels/native/native-kernels.js';

/** The core's FMA peak, in GFLOP/s of one core, per instruction set the CPU runs. */
export interface FmaPeak {
  /** the best instruction set's */
  readonly gflops: number;
  readonly isa: string;
  readonly byIsa: Readonly<Record<string, number>>;
}

export interface FmaPeakOptions {
  /** runs per instruction set; the best counts */
  readonly rounds?: number;
  /** milliseconds each run aims at */
  readonly ms?: number;
}

/**
 * The core's fused multiply-add peak, as the issue states it: the native
 * kernels' loop of independent FMAs (c/peak.h: more accumulators than FMA
 * latency × pipes need, nothing loaded or stored), for each instruction set
 * this CPU runs, the best of `rounds` runs timed by the process's CPU time,
 * so that other jobs taking the core do not count against it. The limit a
 * benchmark's GFLOP/s is a share of. Where the native addon is not there,
 * the reason instead: the peak is a native loop's.
 */
export function measureFmaPeak(options: FmaPeakOptions = {}): FmaPeak | { readonly reason: string } {
  const available = nativeIsas();
  if (!available.isas) return { reason: available.reason };
  const rounds = options.rounds ?? 30;
  const ms = options.ms ?? 20;
  const byIsa: Record<string, number> = {};
  for (const isa of available.isas) {
    const kernels = createNativeKernels({ isa });
    const cpuSeconds = (iterations: number): number => {
      const start = process.cpuUsage();
      kernels.fmaLoop(iterations);
      const used = process.cpuUsage(start);
      return (used.user + used.system) / 1e6;
    };
    // Grow the run until it is long enough to time, then size it to `ms`.
    let iterations = 1e4;
    let seconds = cpuSeconds(iterations);
    while (seconds < 2e-3) seconds = cpuSeconds((iterations *= 4));
    iterations = Math.max(1, Math.round((iterations * ms) / 1000 / seconds));
    let best = 0;
    for (let round = 0; round < rounds; round++) best = Math.max(best, (iterations * kernels.fmaFlopsPerIteration) / cpuSeconds(iterations) / 1e9);
    byIsa[isa] = best;
  }
  const [isa] = Object.entries(byIsa).sort((a, b) => b[1] - a[1])[0];
  return { gflops: byIsa[isa], isa, byIsa };
}
