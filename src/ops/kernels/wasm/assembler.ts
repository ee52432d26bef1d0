/**
 * A minimal WebAssembly binary assembler: just enough of the format (types,
 * one imported memory, functions, exports; i32/f32/v128 instructions,
 * structured control flow) to emit hand-written SIMD kernels from
 * TypeScript at run time, with no build step and no toolchain dependency.
 *
 * Code is written in folded (S-expression) style: every helper returns the
 * instruction stream that leaves its value on the stack, so nested calls
 * read like WAT. Branches name their target label; {@link assembleModule}
 * turns names into relative depths.
 *
 * @example
 * const f = func({ x: 'i32' }, {}, 'i32');
 * f.body = [...i32.add(f.get('x'), i32.constant(1))];
 * const bytes = assembleModule({ memory: { shared: false }, functions: { inc: f } });
 */

export type ValueType = 'i32' | 'f32' | 'v128';

/** Opens a label (block, loop, if), closes the innermost one, branches to a named label or calls a named function. */
type Marker =
  | { readonly open: string }
  | { readonly close: true }
  | { readonly branch: number; readonly target: string }
  | { readonly call: string };
export type Instruction = number | Marker;
export type Code = readonly Instruction[];

const valueTypeByte: Record<ValueType, number> = { i32: 0x7f, f32: 0x7d, v128: 0x7b };

function unsignedLeb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    out.push(v === 0 ? byte : byte | 0x80);
  } while (v !== 0);
  return out;
}

function signedLeb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function f32Bytes(value: number): number[] {
  return [...new Uint8Array(Float32Array.of(value).buffer)];
}

// Export and import names here are ASCII.
function nameBytes(text: string): number[] {
  return [...unsignedLeb(text.length), ...Array.from(text, (ch) => ch.charCodeAt(0))];
}

function vector(items: readonly (readonly number[])[]): number[] {
  return [...unsignedLeb(items.length), ...items.flat()];
}

/** A size-prefixed payload (as a name subsection wants). */
function vectorSized(content: readonly number[]): number[] {
  return [...unsignedLeb(content.length), ...content];
}

function section(id: number, content: readonly number[]): number[] {
  return [id, ...unsignedLeb(content.length), ...content];
}

const simd = (op: number): number[] => [0xfd, ...unsignedLeb(op)];
/** memarg: log2 alignment hint, then the constant byte offset added to the address. */
const memarg = (alignLog2: number, offset: number): number[] => [alignLog2, ...unsignedLeb(offset)];

// ---------------------------------------------------------------------------
// Instructions (folded: operands first, then the opcode)

export const i32 = {
  constant: (v: number): Code => [0x41, ...signedLeb(v)],
  add: (a: Code, b: Code): Code => [...a, ...b, 0x6a],
  sub: (a: Code, b: Code): Code => [...a, ...b, 0x6b],
  mul: (a: Code, b: Code): Code => [...a, ...b, 0x6c],
  and: (a: Code, b: Code): Code => [...a, ...b, 0x71],
  or: (a: Code, b: Code): Code => [...a, ...b, 0x72],
  shl: (a: Code, b: Code): Code => [...a, ...b, 0x74],
  ltU: (a: Code, b: Code): Code => [...a, ...b, 0x49],
  gtU: (a: Code, b: Code): Code => [...a, ...b, 0x4b],
  leU: (a: Code, b: Code): Code => [...a, ...b, 0x4d],
  geU: (a: Code, b: Code): Code => [...a, ...b, 0x4f],
};

export const f32 = {
  constant: (v: number): Code => [0x43, ...f32Bytes(v)],
  load: (address: Code, offset = 0): Code => [...address, 0x2a, ...memarg(2, offset)],
  store: (address: Code, value: Code, offset = 0): Code => [...address, ...value, 0x38, ...memarg(2, offset)],
  add: (a: Code, b: Code): Code => [...a, ...b, 0x92],
  mul: (a: Code, b: Code): Code => [...a, ...b, 0x94],
  eq: (a: Code, b: Code): Code => [...a, ...b, 0x5b],
};

export const v128 = {
  zero: (): Code => [...simd(12), ...new Array<number>(16).fill(0)],
  load: (address: Code, offset = 0): Code => [...address, ...simd(0), ...memarg(0, offset)],
  store: (address: Code, value: Code, offset = 0): Code => [...address, ...value, ...simd(11), ...memarg(0, offset)],
  /** Loads one float and broadcasts it to all four lanes. */
  load32Splat: (address: Code, offset = 0): Code => [...address, ...simd(9), ...memarg(2, offset)],
  /** Loads one float into lane 0, zeroing the other lanes. */
  load32Zero: (address: Code, offset = 0): Code => [...address, ...simd(0x5c), ...memarg(2, offset)],
  /** Each bit from `a` where `mask` has a 1, else from `b`. */
  bitselect: (a: Code, b: Code, mask: Code): Code => [...a, ...b, ...mask, ...simd(0x52)],
};

export const f32x4 = {
  splat: (a: Code): Code => [...a, ...simd(0x13)],
  extractLane: (a: Code, lane: number): Code => [...a, ...simd(0x1f), lane],
  add: (a: Code, b: Code): Code => [...a, ...b, ...simd(0xe4)],
  sub: (a: Code, b: Code): Code => [...a, ...b, ...simd(0xe5)],
  mul: (a: Code, b: Code): Code => [...a, ...b, ...simd(0xe6)],
  div: (a: Code, b: Code): Code => [...a, ...b, ...simd(0xe7)],
  /**
   * Lane-wise a·b + c, fused or not as the runtime likes (relaxed SIMD's
   * f32x4.relaxed_madd: one FMA on x86 with FMA). Only in modules built for
   * a runtime that has it (relaxed-simd.ts).
   */
  relaxedMadd: (a: Code, b: Code, c: Code): Code => [...a, ...b, ...c, ...simd(0x105)],
  /** Lane-wise `b < a ? b : a` (pseudo-minimum: NaN in b is ignored, as `if (b < a) a = b`). */
  pmin: (a: Code, b: Code): Code => [...a, ...b, ...simd(0xea)],
  /** Lane-wise `a < b ? b : a` (pseudo-maximum: NaN in b is ignored, as `if (b > a) a = b`). */
  pmax: (a: Code, b: Code): Code => [...a, ...b, ...simd(0xeb)],
  /** Rounds each lane to the nearest integer, ties to even. */
  nearest: (a: Code): Code => [...a, ...simd(0x6a)],
  abs: (a: Code): Code => [...a, ...simd(0xe0)],
  neg: (a: Code): Code => [...a, ...simd(0xe1)],
  /** Lane-wise a == b as all-ones / all-zeros masks. */
  eq: (a: Code, b: Code): Code => [...a, ...b, ...simd(0x41)],
  /** Lane-wise a != b (true for NaN) as masks. */
  ne: (a: Code, b: Code): Code => [...a, ...b, ...simd(0x42)],
  /** Lane-wise a < b as masks. */
  lt: (a: Code, b: Code): Code => [...a, ...b, ...simd(0x43)],
  /**
   * Picks four 32-bit lanes from a (0–3) and b (4–7): lanes [0, 4, 1, 5]
   * interleaves the low halves. (i8x16.shuffle on whole floats.)
   */
  shuffle: (a: Code, b: Code, lanes: readonly [number, number, number, number]): Code => [
    ...a,
    ...b,
    ...simd(13),
    ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]),
  ],
};

export const i32x4 = {
  splat: (a: Code): Code => [...a, ...simd(0x11)],
  add: (a: Code, b: Code): Code => [...a, ...b, ...simd(0xae)],
  /** Shifts each lane left by the i32 `bits`. */
  shl: (a: Code, bits: Code): Code => [...a, ...bits, ...simd(0xab)],
  /** Each float lane truncated to a signed integer, saturating (NaN gives 0). */
  truncSatF32x4: (a: Code): Code => [...a, ...simd(0xf8)],
  /** 1 when every lane is non-zero. */
  allTrue: (a: Code): Code => [...a, ...simd(0xa3)],
};

// Control flow. Labels are names; `brIf` resolves them to depths at assembly.
export const block = (label: string, body: Code): Code => [0x02, 0x40, { open: label }, ...body, 0x0b, { close: true }];
export const loop = (label: string, body: Code): Code => [0x03, 0x40, { open: label }, ...body, 0x0b, { close: true }];
export const brIf = (label: string, condition: Code): Code => [...condition, { branch: 0x0d, target: label }];
/** Calls a function of the same module by its export name. */
export const call = (name: string, args: readonly Code[]): Code => [...args.flat(), { call: name }];
export const when = (condition: Code, then: Code, otherwise?: Code): Code => [
  ...condition,
  0x04,
  0x40,
  { open: '' },
  ...then,
  ...(otherwise ? [0x05, ...otherwise] : []),
  0x0b,
  { close: true },
];
/** `for (; counter < end; counter += step) body` (body runs zero or more times). */
export const forRange = (label: string, counter: Code, set: (value: Code) => Code, end: Code, step: Code, body: Code): Code =>
  block(`${label}.exit`, [
    ...brIf(`${label}.exit`, i32.geU(counter, end)),
    ...loop(label, [...body, ...set(i32.add(counter, step)), ...brIf(label, i32.ltU(counter, end))]),
  ]);

// ---------------------------------------------------------------------------
// Functions and modules

export interface WasmFunction {
  readonly params: readonly ValueType[];
  readonly result: ValueType | null;
  readonly locals: readonly ValueType[];
  body: Code;
  /** local.get / local.set by name (parameters first, then locals). */
  get(name: string): Code;
  set(name: string, value: Code): Code;
}

/** A function with named parameters and locals; assign its `body` afterwards. */
export function func(
  params: Readonly<Record<string, ValueType>>,
  locals: Readonly<Record<string, ValueType>>,
  result: ValueType | null = null,
): WasmFunction {
  const names = [...Object.keys(params), ...Object.keys(locals)];
  const index = new Map(names.map((name, i) => [name, i]));
  const at = (name: string): number[] => {
    const i = index.get(name);
    if (i === undefined) throw new Error(`wasm assembler: no local named ${name}`);
    return unsignedLeb(i);
  };
  return {
    params: Object.values(params),
    result,
    locals: Object.values(locals),
    body: [],
    get: (name) => [0x20, ...at(name)],
    set: (name, value) => [...value, 0x21, ...at(name)],
  };
}

function resolveLabels(code: Code, functionIndex: ReadonlyMap<string, number>): number[] {
  const labels: string[] = [];
  const out: number[] = [];
  for (const ins of code) {
    if (typeof ins === 'number') out.push(ins);
    else if ('open' in ins) labels.push(ins.open);
    else if ('close' in ins) labels.pop();
    else if ('call' in ins) {
      const index = functionIndex.get(ins.call);
      if (index === undefined) throw new Error(`wasm assembler: no function named ${ins.call}`);
      out.push(0x10, ...unsignedLeb(index));
    } else {
      const at = labels.lastIndexOf(ins.target);
      if (at < 0) throw new Error(`wasm assembler: no enclosing label ${ins.target}`);
      out.push(ins.branch, ...unsignedLeb(labels.length - 1 - at));
    }
  }
  return out;
}

function encodeBody(f: WasmFunction, functionIndex: ReadonlyMap<string, number>): number[] {
  const localGroups = f.locals.map((t) => [...unsignedLeb(1), valueTypeByte[t]]);
  const code = [...vector(localGroups), ...resolveLabels(f.body, functionIndex), 0x0b];
  return [...unsignedLeb(code.length), ...code];
}

export interface ModuleSpec {
  /** The memory imported as `env.memory`; a shared memory needs a shared import. */
  readonly memory: { readonly shared: boolean };
  /** Every function, exported under its key. */
  readonly functions: Readonly<Record<string, WasmFunction>>;
}

/** The binary of a module importing `env.memory` and exporting every function. */
export function assembleModule(spec: ModuleSpec): Uint8Array {
  const entries = Object.entries(spec.functions);
  const functionIndex = new Map(entries.map(([name], i) => [name, i]));
  const types = entries.map(([, f]) => [
    0x60,
    ...vector(f.params.map((t) => [valueTypeByte[t]])),
    ...vector(f.result ? [[valueTypeByte[f.result]]] : []),
  ]);
  // Limits: flags 0x03 = has maximum + shared; 0x00 = minimum only.
  const limits = spec.memory.shared ? [0x03, ...unsignedLeb(0), ...unsignedLeb(65536)] : [0x00, ...unsignedLeb(0)];
  const memoryImport = [...nameBytes('env'), ...nameBytes('memory'), 0x02, ...limits];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector(types)),
    ...section(2, vector([memoryImport])),
    ...section(3, vector(entries.map((_, i) => unsignedLeb(i)))),
    ...section(7, vector(entries.map(([exported], i) => [...nameBytes(exported), 0x00, ...unsignedLeb(i)]))),
    ...section(10, vector(entries.map(([, f]) => encodeBody(f, functionIndex)))),
    // The "name" custom section (function names subsection): profiles show `dot` instead of `wasm-function[8]`.
    ...section(0, [...nameBytes('name'), 1, ...vectorSized(vector(entries.map(([exported], i) => [...unsignedLeb(i), ...nameBytes(exported)])))]),
  ];
  return Uint8Array.from(bytes);
}
