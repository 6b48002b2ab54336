/**
 * Symmetric per-column int8 quantisation of a [K, N] row-major weight matrix: each output column gets
 * its own scale (max |w| / 127), zero point 0. Per-column keeps columns with small weights precise.
 */
export function quantizePerColumn(weights: Float32Array, k: number, n: number): { q: Int8Array; scales: Float32Array } {
  const scales = new Float32Array(n);
  for (let col = 0; col < n; col++) {
    let max = 0;
    for (let row = 0; row < k; row++) max = Math.max(max, Math.abs(weights[row * n + col]!));
    scales[col] = max > 0 ? max / 127 : 1;
  }
  const q = new Int8Array(k * n);
  for (let row = 0; row < k; row++) {
    for (let col = 0; col < n; col++) q[row * n + col] = Math.max(-127, Math.min(127, Math.round(weights[row * n + col]! / scales[col]!)));
  }
  return { q, scales };
}

/** [N, K] → [K, N] (Gemm with transB = 1 stores weights transposed). */
export function transpose(weights: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = weights[r * cols + c]!;
  return out;
}
