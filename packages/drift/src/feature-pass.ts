import { FEATURE_PASS_WASM } from './feature-pass-bytes.js';

/** Where summarize() leaves each statistic of one batch item, in a reused Float64Array. */
export const SUM = 0;
export const SUM_SQ = 1;
export const NONZERO = 2;
export const MASS = 3;
export const MOMENT_X = 4;
export const MOMENT_Y = 5;
export const MIN = 6;
export const MAX = 7;
export const STATS = 8;

/**
 * The statistics of rows × width values from data[start], into out[at + SUM … MOMENT_Y]. No branch
 * per element: each quantity has two accumulators (even and odd columns), which breaks the
 * dependency chains (Node 20, MNIST digits: 1.02 µs for 784 pixels, against 1.20–1.39 µs skipping
 * zeros with a branch, whose mispredictions at every stroke edge cost more than the arithmetic
 * they skip). wasm/feature-pass.wat does the same additions in the same order.
 */
function summarizeRowsJs(data: ArrayLike<number>, start: number, rows: number, width: number, out: Float64Array, at: number): void {
  let sum = 0;
  let sumSq = 0;
  let nonzero = 0;
  let mass = 0;
  let momentX = 0;
  let momentY = 0;
  const even = width - (width % 2);
  for (let row = 0; row < rows; row++) {
    const base = start + row * width;
    // Plain lets, not a destructured array: inlined into a caller, an array literal can defeat
    // escape analysis and box every accumulator (measured on allFinite: ×3.8 slower that way).
    let s0 = 0;
    let s1 = 0;
    let q0 = 0;
    let q1 = 0;
    let m0 = 0;
    let m1 = 0;
    let x0 = 0;
    let x1 = 0;
    let z = 0;
    let col = 0;
    for (; col < even; col += 2) {
      const v = data[base + col]!;
      const w = data[base + col + 1]!;
      const a = Math.abs(v);
      const b = Math.abs(w);
      s0 += v;
      s1 += w;
      q0 += v * v;
      q1 += w * w;
      z += ((v !== 0) as unknown as number) + ((w !== 0) as unknown as number);
      m0 += a;
      m1 += b;
      x0 += a * col;
      x1 += b * (col + 1);
    }
    if (col < width) {
      const v = data[base + col]!;
      const a = Math.abs(v);
      s0 += v;
      q0 += v * v;
      z += (v !== 0) as unknown as number;
      m0 += a;
      x0 += a * col;
    }
    const rowMass = m0 + m1;
    sum += s0 + s1;
    sumSq += q0 + q1;
    nonzero += z;
    momentX += x0 + x1;
    mass += rowMass;
    momentY += rowMass * row;
  }
  out[at + SUM] = sum;
  out[at + SUM_SQ] = sumSq;
  out[at + NONZERO] = nonzero;
  out[at + MASS] = mass;
  out[at + MOMENT_X] = momentX;
  out[at + MOMENT_Y] = momentY;
}

/** The assembled pass and views of its memory (results at byte 0, the item's values from byte 64). */
interface WasmPass {
  summarize: (ptr: number, rows: number, width: number, out: number) => void;
  memory: WebAssembly.Memory;
  floats: Float32Array;
  results: Float64Array;
}

const DATA_AT = 64;
let wasm: WasmPass | null | undefined;
let forcedJs = false;

/**
 * The WebAssembly pass, compiled on first use: f64x2 SIMD does each pair of columns in one
 * instruction where JavaScript needs two (MNIST digit with its copy in: 0.60 µs against 1.41 µs).
 * null where WebAssembly or its SIMD is missing (React Native's Hermes, old engines) or a
 * Content-Security-Policy forbids compiling it: the JavaScript pass is used there, to the same bits.
 */
function wasmPass(): WasmPass | null {
  if (forcedJs) return null;
  if (wasm !== undefined) return wasm;
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(FEATURE_PASS_WASM));
    const memory = instance.exports.memory as WebAssembly.Memory;
    wasm = { summarize: instance.exports.summarize as WasmPass['summarize'], memory, floats: new Float32Array(memory.buffer), results: new Float64Array(memory.buffer, 0, 6) };
  } catch {
    wasm = null;
  }
  return wasm;
}

/** Which pass float32 inputs take ('js' everywhere else): for benchmarks and tests. */
export function featurePassKernel(): 'wasm-simd' | 'js' {
  return wasmPass() ? 'wasm-simd' : 'js';
}

/** Forces the JavaScript pass (true) or lets float32 inputs take WebAssembly again: for tests and benchmarks comparing the two. */
export function forceJsFeaturePass(force: boolean): void {
  forcedJs = force;
}

function summarizeRowsWasm(pass: WasmPass, data: Float32Array, start: number, rows: number, width: number, out: Float64Array, at: number): void {
  const count = rows * width;
  const needed = DATA_AT + count * 4;
  if (pass.memory.buffer.byteLength < needed) {
    pass.memory.grow(Math.ceil((needed - pass.memory.buffer.byteLength) / 65536));
    pass.floats = new Float32Array(pass.memory.buffer);
    pass.results = new Float64Array(pass.memory.buffer, 0, 6);
  }
  pass.floats.set(start === 0 && count === data.length ? data : data.subarray(start, start + count), DATA_AT / 4);
  pass.summarize(DATA_AT, rows, width, 0);
  const results = pass.results;
  for (let i = 0; i < 6; i++) out[at + i] = results[i]!;
}

/**
 * Every statistic of one item (length values from data[start], read as rows of `width`) into
 * out[at … at + STATS): one pass for all the reducers. Elements past the last full row count in
 * sum, sumSq and nonzero (they are part of the input, outside the centroid's image).
 */
export function summarize(data: ArrayLike<number>, start: number, length: number, width: number, withMinMax: boolean, out: Float64Array, at: number): void {
  const rows = Math.floor(length / width);
  const pass = data instanceof Float32Array && rows > 0 ? wasmPass() : null;
  if (pass) summarizeRowsWasm(pass, data as Float32Array, start, rows, width, out, at);
  else summarizeRowsJs(data, start, rows, width, out, at);
  for (let i = start + rows * width; i < start + length; i++) {
    const v = data[i]!;
    out[at + SUM] = out[at + SUM]! + v;
    out[at + SUM_SQ] = out[at + SUM_SQ]! + v * v;
    if (v !== 0) out[at + NONZERO] = out[at + NONZERO]! + 1;
  }
  let min = Infinity;
  let max = -Infinity;
  if (withMinMax) {
    // A separate pass: min/max compares cost as much as all of the above, and are rarely asked for.
    for (let i = start; i < start + length; i++) {
      const v = data[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  out[at + MIN] = min;
  out[at + MAX] = max;
}
