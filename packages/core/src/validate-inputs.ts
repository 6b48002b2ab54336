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
