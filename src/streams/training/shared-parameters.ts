import { kernelsNamed, type KernelName } from '../../ops/kernels/choice.js';
import type { Kernels } from '../../ops/kernels/kernels.js';
import type { WasmMemory } from '../../ops/kernels/wasm/webassembly.js';

/**
 * Where the one parameter buffer of Hogwild training lives, in a form that
 * can be sent to worker threads: inside the wasm kernels' shared memory (so
 * their products read it without copying) or in a plain SharedArrayBuffer.
 */
export interface SharedParameters {
  readonly kernels: KernelName;
  readonly memory?: WasmMemory;
  readonly buffer: SharedArrayBuffer;
  readonly byteOffset: number;
  readonly length: number;
}

/** A thread's kernels and its view of the shared parameters. */
export interface AttachedParameters {
  readonly kernels: Kernels;
  readonly parameters: Float32Array;
}

/** Puts `values` in a new shared parameter buffer for the kernels called `name`. */
export function shareParameters(name: KernelName, values: Float32Array): AttachedParameters & { readonly shared: SharedParameters } {
  const kernels = kernelsNamed(name);
  const parameters = name === 'portable' ? new Float32Array(new SharedArrayBuffer(4 * values.length)) : kernels.alloc(values.length);
  parameters.set(values);
  const shared: SharedParameters = {
    kernels: name,
    memory: kernels.memory,
    buffer: parameters.buffer as SharedArrayBuffer,
    byteOffset: parameters.byteOffset,
    length: parameters.length,
  };
  return { kernels, parameters, shared };
}

/** In a worker thread: kernels over the same memory, and a view of the same parameters. */
export function attachParameters(shared: SharedParameters): AttachedParameters {
  const kernels = kernelsNamed(shared.kernels, shared.memory);
  // The kernels' own view, so their products read the parameters in place.
  const parameters = kernels.view?.(shared.byteOffset, shared.length) ?? new Float32Array(shared.buffer, shared.byteOffset, shared.length);
  return { kernels, parameters };
}
