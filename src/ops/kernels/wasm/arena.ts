import { copyFloats } from '../copy.js';
import { isShared, type WasmMemory } from './webassembly.js';

/**
 * A bump allocator over a WebAssembly.Memory that every thread mapping the
 * memory can use at once. Its only state is the "next free byte" word at
 * address 0, claimed with compare-and-swap, so regions handed to different
 * threads (or to different kernel instances in one thread) never overlap,
 * with no lock and no message passing. Memory never returns to the shared
 * pool: a region given back with `release` goes on this arena object's own
 * free list, and its next `reserve` of the same rounded size takes it. So
 * a stage that is subscribed again and again (an evaluation every so many
 * frames) reuses its buffers instead of growing the memory.
 *
 * Growth. A shared memory grows on demand; its buffer never detaches, so
 * every view handed out stays valid (each thread's `memory.buffer` is a new
 * SharedArrayBuffer object after a grow, over the same bytes). A non-shared
 * memory never grows: growing it would detach every view already handed
 * out, so a request that does not fit throws instead. Give it an `initial`
 * size that covers everything, or use a shared memory.
 *
 * The memory must be dedicated to this allocator: bytes 0–63 hold its header.
 *
 * @example
 * const arena = createArena(new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true }));
 * const at = arena.reserve(4 * 1000); // before buffer(): it may grow the memory
 * const params = new Float32Array(arena.buffer(), at, 1000);
 */
export interface Arena {
  readonly memory: WasmMemory;
  /** Claims `bytes` (rounded up to a 64-byte cache line) and returns the region's byte address. */
  reserve(bytes: number): number;
  /** Gives back a region this arena object reserved, `bytes` as asked for then, for its later `reserve`s. */
  release(at: number, bytes: number): void;
  /** The memory's current buffer, remembered as one of this memory's buffers. */
  buffer(): ArrayBufferLike;
  /** All of the memory as floats, for copies in and out of it; a new view only after the memory grew. */
  floats(): Float32Array;
  /** Whether `buffer` is (one of the buffer objects of) this memory: views of it are used in place. */
  owns(buffer: ArrayBufferLike): boolean;
}

const HEADER_BYTES = 64;
const ALIGN = 64;
const PAGE = 65536;
/** wasm32 addresses: the top page stays unused so every end address fits in 32 bits. */
const MAX_BYTES = 65535 * PAGE;

export function createArena(memory: WasmMemory): Arena {
  const shared = isShared(memory);
  // Every buffer object this memory has shown us: views over any of them are views of the memory.
  const seen = new WeakSet<ArrayBufferLike>();
  let latest = memory.buffer;
  seen.add(latest);
  const buffer = (): ArrayBufferLike => {
    if (memory.buffer !== latest) {
      latest = memory.buffer;
      seen.add(latest);
    }
    return latest;
  };
  const owns = (b: ArrayBufferLike): boolean => b === latest || seen.has(b) || b === buffer();
  // A view's length is fixed when it is made, so the buffer's length is compared as well as the
  // buffer object: a view older than a growth by another thread once dropped staged writes past its end.
  let floatsView = new Float32Array(latest);
  const floats = (): Float32Array => {
    const current = buffer();
    if (floatsView.buffer !== current || floatsView.byteLength !== current.byteLength) floatsView = new Float32Array(current);
    return floatsView;
  };
  const ensure = (end: number): void => {
    const size = memory.buffer.byteLength;
    if (end <= size) return;
    if (!shared) {
      throw new RangeError(`wasm arena: the memory is full (${size} bytes, ${end} needed) and growing a non-shared memory would detach its views; pass a larger or a shared memory`);
    }
    // Another thread may grow it concurrently: then both grow, which only wastes pages.
    memory.grow(Math.ceil((end - size) / PAGE));
  };
  ensure(HEADER_BYTES);
  const header = (): Int32Array => new Int32Array(memory.buffer, 0, 1);
  Atomics.compareExchange(header(), 0, 0, HEADER_BYTES);

  const rounded = (bytes: number): number => Math.ceil(Math.max(bytes, 1) / ALIGN) * ALIGN;
  // Per arena object, so per thread: regions released here are reserved again only here.
  const free = new Map<number, number[]>();
  const release = (at: number, bytes: number): void => {
    const size = rounded(bytes);
    const list = free.get(size);
    if (list) list.push(at);
    else free.set(size, [at]);
  };
  const reserve = (bytes: number): number => {
    const size = rounded(bytes);
    const reused = free.get(size)?.pop();
    if (reused !== undefined) return reused;
    for (;;) {
      const start = Atomics.load(header(), 0) >>> 0;
      const end = start + size;
      if (end > MAX_BYTES) throw new RangeError(`wasm arena: ${bytes} more bytes exceed the 32-bit address space`);
      ensure(end);
      if (Atomics.compareExchange(header(), 0, start | 0, end | 0) >>> 0 === start) return start;
    }
  };
  return { memory, reserve, release, buffer, floats, owns };
}

/** What a kernel does with a run: reads it (copied in when staged), writes it (copied back), or both. */
export const READ = 1;
export const WRITE = 2;
export const READ_WRITE = READ | WRITE;

/**
 * The runs of floats (array, first element, length) one kernel call reads
 * and writes, placed in an arena's memory: in place where an array lives
 * there, else copied into a staging area (and back by `restore`, for the
 * runs the kernel writes). This is the one way arrays from outside the
 * memory reach a wasm kernel. Reused by every call, so a call allocates
 * nothing; the staging area grows by doubling and is kept.
 *
 * @example
 * runs.clear();
 * const x = runs.add(input, 0, n, READ);
 * const y = runs.add(output, 0, n, WRITE);
 * runs.place();
 * wasm.kernel(runs.at(x), runs.at(y), n);
 * runs.restore();
 */
export interface Runs {
  clear(): void;
  /** Adds a run (after `check` accepts it) and returns its index for `at`. */
  add(array: Float32Array, offset: number, length: number, use?: number): number;
  /** Decides where each run lives for this call, copying the ones outside the memory into staging. */
  place(): void;
  /** The byte address of run `index` for this call. */
  at(index: number): number;
  /** Copies the staged runs the kernel writes back into their arrays (nothing when none was staged). */
  restore(): void;
}

export function createRuns(arena: Arena, capacity: number, check: (array: Float32Array, offset: number, length: number) => void): Runs {
  const arrays = new Array<Float32Array>(capacity);
  const offsets = new Int32Array(capacity);
  const lengths = new Int32Array(capacity);
  const uses = new Uint8Array(capacity);
  const staged = new Uint8Array(capacity);
  const addresses = new Float64Array(capacity);
  let pointer = 0;
  let room = 0;
  let count = 0;
  let anyStaged = false;

  /** The byte address of `floats` floats of staging space, kept for later calls. */
  const staging = (floats: number): number => {
    if (floats > room) {
      if (room > 0) arena.release(pointer, 4 * room);
      room = Math.max(floats, 2 * room);
      pointer = arena.reserve(4 * room);
    }
    return pointer;
  };

  return {
    clear() {
      count = 0;
    },
    add(array, offset, length, use = READ_WRITE) {
      if (count === capacity) throw new RangeError(`wasm runs: more than ${capacity} runs in one call`);
      check(array, offset, length);
      arrays[count] = array;
      offsets[count] = offset;
      lengths[count] = length;
      uses[count] = use;
      return count++;
    },
    place() {
      let outside = 0;
      for (let i = 0; i < count; i++) {
        staged[i] = arena.owns(arrays[i].buffer) ? 0 : 1;
        if (staged[i]) outside += lengths[i];
        else addresses[i] = arrays[i].byteOffset + 4 * offsets[i];
      }
      anyStaged = outside > 0;
      if (!anyStaged) return;
      let at = staging(outside);
      const memoryFloats = arena.floats(); // after any growth for staging
      for (let i = 0; i < count; i++) {
        if (!staged[i]) continue;
        if (uses[i] & READ) copyFloats(arrays[i], offsets[i], memoryFloats, at / 4, lengths[i]);
        addresses[i] = at;
        at += 4 * lengths[i];
      }
    },
    at(index) {
      return addresses[index];
    },
    restore() {
      if (!anyStaged) return;
      const memoryFloats = arena.floats();
      for (let i = 0; i < count; i++) if (staged[i] && uses[i] & WRITE) copyFloats(memoryFloats, addresses[i] / 4, arrays[i], offsets[i], lengths[i]);
    },
  };
}
