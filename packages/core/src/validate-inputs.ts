import { InputError } from './errors.js';
import { DTYPES, arrayClassFor, elementCount, type NamedTensors, type TensorSpec } from './tensor.js';

export interface ValidationOptions {
  /** Allow NaN and ±Infinity in float inputs (default false: they usually mean a broken pipeline). */
  allowNonFinite?: boolean;
}

function describeDims(dims: ReadonlyArray<number | string | null>): string {
  return `[${dims.map((d) => (typeof d === 'number' ? d : (d ?? '?'))).join(', ')}]`;
}

function checkShape(name: string, dims: readonly number[], spec: TensorSpec): void {
  if (!spec.dims) return;
  const expected = describeDims(spec.dims);
  if (dims.length !== spec.dims.length) {
    throw new InputError(name, `shape [${dims.join(', ')}] (rank ${dims.length})`, `shape ${expected} (rank ${spec.dims.length})`);
  }
  spec.dims.forEach((want, axis) => {
    if (typeof want === 'number' && want >= 0 && dims[axis] !== want) {
      throw new InputError(name, `shape [${dims.join(', ')}]`, `shape ${expected} (axis ${axis} must be ${want})`);
    }
  });
}

function checkFinite(name: string, data: ArrayLike<number>): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    // v - v is NaN exactly for NaN and ±Infinity: one comparison on the hot path.
    if (v - v !== 0) {
      throw new InputError(name, `${v} at flat index ${i}`, 'finite numbers (pass allowNonFinite: true to accept NaN/Infinity)');
    }
  }
}

/**
 * Checks inputs against the model's declared signature before they reach an engine, so a mistake
 * is reported by name instead of as an engine-internal failure.
 */
export function validateInputs(inputs: unknown, specs: readonly TensorSpec[], options: ValidationOptions = {}): asserts inputs is NamedTensors {
  const expectedNames = specs.map((s) => `"${s.name}"`).join(', ');
  if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) {
    throw new InputError('', Array.isArray(inputs) ? 'an array' : String(inputs), `an object keyed by input name (${expectedNames})`);
  }
  const given = inputs as Record<string, unknown>;
  for (const name of Object.keys(given)) {
    if (!specs.some((s) => s.name === name)) throw new InputError(name, 'an input the model does not have', `one of ${expectedNames}`);
  }
  for (const spec of specs) {
    const t = given[spec.name] as { type?: unknown; data?: unknown; dims?: unknown } | undefined;
    if (t === undefined) throw new InputError(spec.name, 'nothing', `a ${spec.type} tensor of shape ${describeDims(spec.dims ?? [])}`);
    if (typeof t !== 'object' || t === null) throw new InputError(spec.name, typeof t, 'a tensor {type, data, dims}');
    if (typeof t.type !== 'string' || !DTYPES.includes(t.type as never)) {
      throw new InputError(spec.name, `type ${JSON.stringify(t.type)}`, `one of ${DTYPES.join(', ')}`);
    }
    if (t.type !== spec.type) throw new InputError(spec.name, `dtype ${t.type}`, `dtype ${spec.type}`);
    const Cls = arrayClassFor(spec.type);
    if (!(t.data instanceof Cls)) {
      const got = t.data === null || typeof t.data !== 'object' ? typeof t.data : (t.data as object).constructor.name;
      throw new InputError(spec.name, `data as ${got}`, `data as ${Cls.name} for dtype ${spec.type}`);
    }
    if (!Array.isArray(t.dims) || !t.dims.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new InputError(spec.name, `dims ${JSON.stringify(t.dims)}`, 'dims as an array of non-negative integers');
    }
    const dims = t.dims as number[];
    const count = elementCount(dims);
    if ((t.data as ArrayLike<unknown>).length !== count) {
      throw new InputError(spec.name, `${(t.data as ArrayLike<unknown>).length} elements`, `${count} elements for dims [${dims.join(', ')}]`);
    }
    checkShape(spec.name, dims, spec);
    if (!options.allowNonFinite && spec.type === 'float32') checkFinite(spec.name, t.data as Float32Array);
  }
}

/**
 * A validator compiled once per model signature: the hot path checks only what can be wrong,
 * without building a string or a closure; on the first mismatch it hands over to validateInputs(),
 * which finds the problem again and names it. Accepts exactly what validateInputs() accepts.
 */
export function compileInputValidator(specs: readonly TensorSpec[], options: ValidationOptions = {}): (inputs: unknown) => void {
  const names = new Set(specs.map((s) => s.name));
  const checks = specs.map((spec) => ({
    name: spec.name,
    type: spec.type,
    Cls: arrayClassFor(spec.type),
    rank: spec.dims ? spec.dims.length : -1,
    fixed: spec.dims ? spec.dims.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)) : [],
    finite: !options.allowNonFinite && spec.type === 'float32',
  }));
  const slow = (inputs: unknown) => validateInputs(inputs, specs, options);
  return (inputs) => {
    if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) return slow(inputs);
    const given = inputs as Record<string, { type?: unknown; data?: unknown; dims?: unknown } | undefined>;
    let keys = 0;
    for (const key in given) {
      if (!names.has(key)) return slow(inputs);
      keys++;
    }
    if (keys !== checks.length) return slow(inputs);
    for (const c of checks) {
      const t = given[c.name];
      if (typeof t !== 'object' || t === null || t.type !== c.type || !(t.data instanceof c.Cls) || !Array.isArray(t.dims)) return slow(inputs);
      const dims = t.dims as unknown[];
      let count = 1;
      for (let axis = 0; axis < dims.length; axis++) {
        const d = dims[axis];
        if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) return slow(inputs);
        count *= d;
      }
      if ((t.data as ArrayLike<number>).length !== count) return slow(inputs);
      if (c.rank >= 0) {
        if (dims.length !== c.rank) return slow(inputs);
        for (let axis = 0; axis < c.rank; axis++) if (c.fixed[axis]! >= 0 && dims[axis] !== c.fixed[axis]) return slow(inputs);
      }
      if (c.finite && !allFinite(t.data as Float32Array)) return slow(inputs);
    }
  };
}

/**
 * True when no element is NaN or ±Infinity: x·0 is 0 for finite x and NaN otherwise, so there is one
 * test at the end instead of a branch per element; four accumulators break the dependency chain
 * (measured in Node 20: 0.44 µs for 784 floats, against 1.05 µs for a branch per element). Plain
 * lets, not `let [a, b, c, d] = [0, 0, 0, 0]`: inlined into the compiled validator, that array
 * literal kept the accumulators boxed, and the validator took 1.19 µs instead of 0.31 µs.
 */
function allFinite(data: Float32Array): boolean {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  const n = data.length & ~3;
  for (let i = 0; i < n; i += 4) {
    a += data[i]! * 0;
    b += data[i + 1]! * 0;
    c += data[i + 2]! * 0;
    d += data[i + 3]! * 0;
  }
  for (let i = n; i < data.length; i++) a += data[i]! * 0;
  return a + b + c + d === 0;
}
