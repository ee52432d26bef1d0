/**
 * Single-precision general matrix multiply on row-major matrices, in the style
 * of BLAS `sgemm` with explicit leading dimensions and offsets:
 *
 *     C = alpha · op(A) · op(B) + beta · C
 *
 * where op(X) is X or Xᵀ, op(A) is m×k, op(B) is k×n and C is m×n. Element
 * (i, j) of a row-major matrix X lives at `X[offX + i·ldX + j]`.
 *
 * This is the portable reference kernel; every loop order keeps the innermost
 * loop on contiguous memory. With beta = 0, C is overwritten (old NaNs vanish).
 *
 * @example
 * // [1 2; 3 4] · [5; 6] = [17; 39]
 * const c = new Float32Array(2);
 * sgemm(false, false, 2, 1, 2, 1, Float32Array.of(1, 2, 3, 4), 0, 2, Float32Array.of(5, 6), 0, 1, 0, c, 0, 1);
 */
export function sgemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  offA: number,
  lda: number,
  b: Float32Array,
  offB: number,
  ldb: number,
  beta: number,
  c: Float32Array,
  offC: number,
  ldc: number,
): void {
  scale(m, n, beta, c, offC, ldc);
  if (alpha === 0 || k === 0) return;
  if (!transA && !transB) gemmNN(m, n, k, alpha, a, offA, lda, b, offB, ldb, c, offC, ldc);
  else if (!transA && transB) gemmNT(m, n, k, alpha, a, offA, lda, b, offB, ldb, c, offC, ldc);
  else if (transA && !transB) gemmTN(m, n, k, alpha, a, offA, lda, b, offB, ldb, c, offC, ldc);
  else gemmTT(m, n, k, alpha, a, offA, lda, b, offB, ldb, c, offC, ldc);
}

function scale(m: number, n: number, beta: number, c: Float32Array, offC: number, ldc: number): void {
  if (beta === 1) return;
  for (let i = 0; i < m; i++) {
    const row = offC + i * ldc;
    if (beta === 0) c.fill(0, row, row + n);
    else for (let j = row; j < row + n; j++) c[j] *= beta;
  }
}

// C[i,:] += alpha · A[i,p] · B[p,:]
function gemmNN(
  m: number, n: number, k: number, alpha: number,
  a: Float32Array, offA: number, lda: number,
  b: Float32Array, offB: number, ldb: number,
  c: Float32Array, offC: number, ldc: number,
): void {
  for (let i = 0; i < m; i++) {
    const cRow = offC + i * ldc;
    const aRow = offA + i * lda;
    for (let p = 0; p < k; p++) {
      const s = alpha * a[aRow + p];
      if (s === 0) continue;
      const bRow = offB + p * ldb;
      for (let j = 0; j < n; j++) c[cRow + j] += s * b[bRow + j];
    }
  }
}

// C[i,j] += alpha · dot(A[i,:], B[j,:])
function gemmNT(
  m: number, n: number, k: number, alpha: number,
  a: Float32Array, offA: number, lda: number,
  b: Float32Array, offB: number, ldb: number,
  c: Float32Array, offC: number, ldc: number,
): void {
  for (let i = 0; i < m; i++) {
    const aRow = offA + i * lda;
    const cRow = offC + i * ldc;
    for (let j = 0; j < n; j++) {
      const bRow = offB + j * ldb;
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[aRow + p] * b[bRow + p];
      c[cRow + j] += alpha * sum;
    }
  }
}

// C[i,:] += alpha · A[p,i] · B[p,:]
function gemmTN(
  m: number, n: number, k: number, alpha: number,
  a: Float32Array, offA: number, lda: number,
  b: Float32Array, offB: number, ldb: number,
  c: Float32Array, offC: number, ldc: number,
): void {
  for (let p = 0; p < k; p++) {
    const aRow = offA + p * lda;
    const bRow = offB + p * ldb;
    for (let i = 0; i < m; i++) {
      const s = alpha * a[aRow + i];
      if (s === 0) continue;
      const cRow = offC + i * ldc;
      for (let j = 0; j < n; j++) c[cRow + j] += s * b[bRow + j];
    }
  }
}

// C[i,j] += alpha · Σ_p A[p,i] · B[j,p]
function gemmTT(
  m: number, n: number, k: number, alpha: number,
  a: Float32Array, offA: number, lda: number,
  b: Float32Array, offB: number, ldb: number,
  c: Float32Array, offC: number, ldc: number,
): void {
  for (let i = 0; i < m; i++) {
    const cRow = offC + i * ldc;
    for (let j = 0; j < n; j++) {
      const bRow = offB + j * ldb;
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[offA + p * lda + i] * b[bRow + p];
      c[cRow + j] += alpha * sum;
    }
  }
}
