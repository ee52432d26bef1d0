/**
 * The checks every kernel set runs before its loop: the bounds of each array
 * it reads or writes. Kernels that write memory directly (wasm, native) must
 * never run past an array, and every kernel set must refuse the same calls
 * with the same words, so the checks live apart from any one set's loops.
 */

/** Throws a RangeError unless a rows × cols block at `off` with leading dimension `ld` lies inside `x` (sgemm's operands). */
export function checkFits(name: string, x: Float32Array, off: number, ld: number, rows: number, cols: number): void {
  if (rows <= 0 || cols <= 0) return;
  const end = off + (rows - 1) * ld + cols;
  if (off < 0 || ld < cols || end > x.length) {
    throw new RangeError(`sgemm: ${name} (${rows}×${cols}, offset ${off}, leading dimension ${ld}) does not fit in ${x.length} floats`);
  }
}

/** Throws a RangeError unless elements offset..offset + length − 1 lie in `x` (kernels writing memory directly must never run past an array). */
export function checkRun(x: Float32Array, offset: number, length: number): void {
  if (offset < 0 || length < 0 || offset + length > x.length) throw new RangeError(`lstm cell step: elements ${offset}..${offset + length} do not fit in ${x.length}`);
}

/** Throws a RangeError unless `x` holds a [rows, cols] matrix and `out` a value for each of its rows (argmaxRows). */
export function checkArgmax(x: Float32Array, rows: number, cols: number, out: Int32Array): void {
  checkRows('argmaxRows', x, rows, cols);
  if (cols < 1 && rows > 0) throw new RangeError(`argmaxRows: rows of ${cols} values have no largest`);
  if (out.length < rows) throw new RangeError(`argmaxRows: ${rows} rows' arg-max do not fit in ${out.length} values`);
}

/** Throws a RangeError unless `x` holds a [rows, cols] matrix (kernels that write memory directly must never run past an array). */
export function checkRows(name: string, x: Float32Array, rows: number, cols: number): void {
  if (rows < 0 || cols < 0 || rows * cols > x.length) throw new RangeError(`${name}: ${rows} × ${cols} floats do not fit in ${x.length}`);
}

/** Throws a RangeError unless {@link sgdStep}'s slice lies inside every array and a null velocity comes with momentum 0. */
export function checkSgdStep(
  params: Float32Array,
  velocity: Float32Array | null,
  gradient: Float32Array,
  offset: number,
  length: number,
  momentum: number,
): void {
  const end = offset + length;
  if (offset < 0 || length < 0 || end > params.length || end > gradient.length || (velocity && end > velocity.length)) {
    throw new RangeError(`sgdStep: elements ${offset}..${end} do not fit the parameters (${params.length}), gradient (${gradient.length}) or velocity (${velocity?.length})`);
  }
  if (!velocity && momentum !== 0) throw new RangeError(`sgdStep: momentum ${momentum} needs a velocity`);
}
