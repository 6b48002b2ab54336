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

/** Where a row pass leaves its results: the lanes of the sums, then the row-wise moments. */
const S0 = 0;
const S1 = 1;
const Q0 = 2;
const Q1 = 3;
const Z = 4;
const ROW_MASS = 5;
const ROW_MOMENT_X = 6;
const ROW_MOMENT_Y = 7;
const LANES = 8;

/**
 * The row pass over rows × width values from data[start], into lanes[0, LANES). No branch per
 * element: each quantity has two accumulators, which breaks the dependency chains (Node 20, MNIST
 * digits: 1.02 µs for 784 pixels, against 1.20–1.39 µs skipping zeros with a branch, whose
 * mispredictions at every stroke edge cost more than the arithmetic they skip).
 *
 * The sum and the sum of squares do not depend on the width: their lanes are the elements at even
 * and odd offsets of the item, each added in index order, across rows (with an even width, even
 * columns are even offsets; with an odd one summarize() recomputes them). A feature read alone
 * (one row of the whole item) and the same feature sharing a 28-wide centroid pass must give the
 * same bits, or a baseline built one way and a device reading the other disagree at bin edges.
 * The mass and moments are per row by nature. wasm/feature-pass.wat does the same additions.
 */
function summarizeRowsJs(data: ArrayLike<number>, start: number, rows: number, width: number, lanes: Float64Array): void {
  // Plain lets, not a destructured array: inlined into a caller, an array literal can defeat
  // escape analysis and box every accumulator (measured on allFinite: ×3.8 slower that way).
  let s0 = 0;
  let s1 = 0;
  let q0 = 0;
  let q1 = 0;
  let z = 0;
  let mass = 0;
  let momentX = 0;
  let momentY = 0;
  const even = width - (width % 2);
  for (let row = 0; row < rows; row++) {
    const base = start + row * width;
    let m0 = 0;
    let m1 = 0;
    let x0 = 0;
    let x1 = 0;
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
      // An odd width: the last column joins the even lane of the moments (the sums are redone).
      const a = Math.abs(data[base + col]!);
      m0 += a;
      x0 += a * col;
    }
    const rowMass = m0 + m1;
    momentX += x0 + x1;
    mass += rowMass;
    momentY += rowMass * row;
  }
  lanes[S0] = s0;
  lanes[S1] = s1;
  lanes[Q0] = q0;
  lanes[Q1] = q1;
  lanes[Z] = z;
  lanes[ROW_MASS] = mass;
  lanes[ROW_MOMENT_X] = momentX;
  lanes[ROW_MOMENT_Y] = momentY;
}

/** Adds data[from, to) to the sum lanes by offset parity from `start`, in index order. */
function addToLanes(data: ArrayLike<number>, start: number, from: number, to: number, lanes: Float64Array): void {
  for (let i = from; i < to; i++) {
    const v = data[i]!;
    const lane = (i - start) & 1;
    lanes[S0 + lane] = lanes[S0 + lane]! + v;
    lanes[Q0 + lane] = lanes[Q0 + lane]! + v * v;
    if (v !== 0) lanes[Z] = lanes[Z]! + 1;
  }
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
    wasm = { summarize: instance.exports.summarize as WasmPass['summarize'], memory, floats: new Float32Array(memory.buffer), results: new Float64Array(memory.buffer, 0, LANES) };
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

function summarizeRowsWasm(pass: WasmPass, data: Float32Array, start: number, rows: number, width: number, lanes: Float64Array): void {
  const count = rows * width;
  const needed = DATA_AT + count * 4;
  if (pass.memory.buffer.byteLength < needed) {
    pass.memory.grow(Math.ceil((needed - pass.memory.buffer.byteLength) / 65536));
    pass.floats = new Float32Array(pass.memory.buffer);
    pass.results = new Float64Array(pass.memory.buffer, 0, LANES);
  }
  pass.floats.set(start === 0 && count === data.length ? data : data.subarray(start, start + count), DATA_AT / 4);
  pass.summarize(DATA_AT, rows, width, 0);
  lanes.set(pass.results);
}

const scratch = new Float64Array(LANES);

/**
 * Every statistic of one item (length values from data[start], read as rows of `width`) into
 * out[at … at + STATS): one pass for all the reducers. Elements past the last full row count in
 * the sums and the nonzero count (they are part of the input, outside the centroid's image).
 */
export function summarize(data: ArrayLike<number>, start: number, length: number, width: number, withMinMax: boolean, out: Float64Array, at: number): void {
  const rows = Math.floor(length / width);
  const pass = data instanceof Float32Array && rows > 0 ? wasmPass() : null;
  const lanes = scratch;
  if (pass) summarizeRowsWasm(pass, data as Float32Array, start, rows, width, lanes);
  else summarizeRowsJs(data, start, rows, width, lanes);
  if (width % 2 === 1) {
    // Odd rows put columns, not offsets, in the lanes: the sums again, in the canonical order.
    lanes.fill(0, S0, Z + 1);
    addToLanes(data, start, start, start + length, lanes);
  } else {
    addToLanes(data, start, start + rows * width, start + length, lanes);
  }
  out[at + SUM] = lanes[S0]! + lanes[S1]!;
  out[at + SUM_SQ] = lanes[Q0]! + lanes[Q1]!;
  out[at + NONZERO] = lanes[Z]!;
  out[at + MASS] = lanes[ROW_MASS]!;
  out[at + MOMENT_X] = lanes[ROW_MOMENT_X]!;
  out[at + MOMENT_Y] = lanes[ROW_MOMENT_Y]!;
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
