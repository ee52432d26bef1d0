import { layerInputs, recurrentSize, type LayerWeights, type LstmpSpec, type LstmpWeights } from '../../ops/nn/lstmp.js';

/** One named tensor inside the flat parameter buffer. */
export interface TensorSlot {
  readonly name: string;
  readonly shape: readonly number[];
  /** offset in elements from the start of the flat buffer */
  readonly offset: number;
  readonly size: number;
}

/** Where every tensor of a network lives in its one flat Float32Array. */
export interface Layout {
  readonly tensors: readonly TensorSlot[];
  readonly size: number;
}

/**
 * The tensors of a network in buffer order: per layer k `layer{k}.Wx`,
 * `.Wr`, `.b`, `.peephole` (with peepholes), `.Wrm` (LSTMP), then
 * `output.Wyr` and `output.by`. Gate rows are ordered i, f, g, o.
 */
export function layoutOf(spec: LstmpSpec): Layout {
  const C = spec.cells;
  const R = recurrentSize(spec);
  const shapes: [string, number[]][] = [];
  for (let k = 0; k < spec.layers; k++) {
    shapes.push([`layer${k}.Wx`, [4 * C, layerInputs(spec, k)]]);
    shapes.push([`layer${k}.Wr`, [4 * C, R]]);
    shapes.push([`layer${k}.b`, [4 * C]]);
    if (spec.peepholes) shapes.push([`layer${k}.peephole`, [3, C]]);
    if (spec.projection > 0) shapes.push([`layer${k}.Wrm`, [spec.projection, C]]);
  }
  shapes.push(['output.Wyr', [spec.outputs, R]]);
  shapes.push(['output.by', [spec.outputs]]);

  let offset = 0;
  const tensors = shapes.map(([name, shape]) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const slot = { name, shape, offset, size };
    offset += size;
    return slot;
  });
  return { tensors, size: offset };
}

/**
 * The size of {@link layoutOf}'s buffer, computed without listing the tensors:
 * what a config is checked against before anything is built for it.
 */
export function parameterTotal(spec: LstmpSpec): number {
  const C = spec.cells;
  const R = recurrentSize(spec);
  const perLayer = (inputs: number) => 4 * C * (inputs + R + 1) + (spec.peepholes ? 3 * C : 0) + spec.projection * C;
  return perLayer(spec.inputs) + (spec.layers - 1) * perLayer(R) + spec.outputs * (R + 1);
}

/** Biases and peepholes: the tensors that often want a smaller learning rate. */
export function isBiasOrPeephole(name: string): boolean {
  return name.endsWith('.b') || name.endsWith('.by') || name.endsWith('.peephole');
}

/** Named views into a flat buffer laid out by {@link layoutOf}: no copies. */
export function viewsOf(spec: LstmpSpec, buffer: Float32Array): LstmpWeights {
  const layout = layoutOf(spec);
  if (buffer.length !== layout.size) {
    throw new RangeError(`parameter buffer holds ${buffer.length} values, the network needs ${layout.size}`);
  }
  const view = new Map(layout.tensors.map((s) => [s.name, buffer.subarray(s.offset, s.offset + s.size)]));
  const get = (name: string): Float32Array => view.get(name)!;
  const layers: LayerWeights[] = [];
  for (let k = 0; k < spec.layers; k++) {
    layers.push({
      Wx: get(`layer${k}.Wx`),
      Wr: get(`layer${k}.Wr`),
      b: get(`layer${k}.b`),
      peephole: view.get(`layer${k}.peephole`) ?? null,
      Wrm: view.get(`layer${k}.Wrm`) ?? null,
    });
  }
  return { layers, Wyr: get('output.Wyr'), by: get('output.by') };
}

/**
 * Parameter counts: `paper` is the bias-free formula of Sak et al. (2014),
 * applied per layer with the output term once; `total` is the buffer size.
 */
export function parameterCounts(spec: LstmpSpec): { paper: number; total: number } {
  const { cells: C, projection: P, outputs: O } = spec;
  const R = recurrentSize(spec);
  let paper = R * O;
  for (let k = 0; k < spec.layers; k++) {
    paper += C * R * 4 + layerInputs(spec, k) * C * 4 + (spec.peepholes ? C * 3 : 0);
    if (P > 0) paper += C * P;
  }
  return { paper, total: layoutOf(spec).size };
}
