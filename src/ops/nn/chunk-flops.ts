import { layerInputs, recurrentSize, type LstmpSpec } from './lstmp.js';

/**
 * The floating-point operations of the matrix products that `forward`
 * and `backward` (lstmp.ts) make on one chunk of `steps` × `streams`
 * frames, 2·m·n·k for each sgemm: what a benchmark divides by its time to
 * state GFLOP/s, and by the core's FMA peak to state its share of it. The
 * elementwise passes, the softmax and the update are not counted (a few
 * percent of a step's time, and no FMAs).
 */
export function chunkFlops(spec: LstmpSpec, steps: number, streams: number): number {
  const { cells: C, outputs: O } = spec;
  const R = recurrentSize(spec);
  const G = 4 * C;
  const T = steps;
  const B = streams;
  const frames = T * B;
  const projection = spec.projection > 0;
  // multiply-adds, doubled at the end
  let products = frames * O * R; // output layer forward
  products += O * R * frames + O * frames + frames * R * O; // its weight, bias and input gradients
  for (let k = 0; k < spec.layers; k++) {
    const nIn = layerInputs(spec, k);
    products += frames * G * nIn + T * B * G * R; // forward: inputs, then the recurrence at every step
    if (projection) products += T * B * R * C;
    products += (T - 1) * B * R * G; // backward through the recurrence (none into the chunk's start)
    if (projection) products += T * B * C * R + R * C * frames; // through the projection, and its weight gradient
    products += G * nIn * frames + G * R * frames + G * frames; // weight and bias gradients
    if (k > 0) products += frames * nIn * G; // the gradient passed to the layer below
  }
  return 2 * products;
}
