/** Element types a model input or output can have. */
export type DType = 'float32' | 'float16' | 'int32' | 'int64' | 'int8' | 'uint8' | 'bool';

export const DTYPES: readonly DType[] = ['float32', 'float16', 'int32', 'int64', 'int8', 'uint8', 'bool'];

export type TypedArray = Float32Array | Uint16Array | Int32Array | BigInt64Array | Int8Array | Uint8Array;

/**
 * A tensor as plain data: a typed array plus its shape. Plain data so it crosses a worker boundary by
 * transferring `data.buffer`, and so engines never leak their own tensor classes to callers.
 *
 * @example
 * const x: Tensor = { type: 'float32', data: new Float32Array(784), dims: [1, 784] };
 */
export interface Tensor {
  type: DType;
  data: TypedArray;
  dims: readonly number[];
}

/** Named tensors, as models take and return them. */
export type NamedTensors = Record<string, Tensor>;

/** Declared signature of one model input or output; a dim is null or a string when it is dynamic. */
export interface TensorSpec {
  name: string;
  type: DType;
  dims: ReadonlyArray<number | string | null> | null;
}

/** The typed array class that stores each dtype (float16 as raw bits). */
export function arrayClassFor(type: DType) {
  switch (type) {
    case 'float32':
      return Float32Array;
    case 'float16':
      return Uint16Array;
    case 'int32':
      return Int32Array;
    case 'int64':
      return BigInt64Array;
    case 'int8':
      return Int8Array;
    case 'uint8':
    case 'bool':
      return Uint8Array;
  }
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((n, d) => n * d, 1);
}

/**
 * Builds a tensor, checking that the data length matches the shape.
 *
 * @example
 * const t = tensor('float32', [1, 2, 3, 4], [2, 2]);
 */
export function tensor(type: DType, data: TypedArray | readonly number[], dims: readonly number[]): Tensor {
  const Cls = arrayClassFor(type);
  let array: TypedArray;
  if (Array.isArray(data)) {
    array = Cls === BigInt64Array ? BigInt64Array.from(data as number[], (v) => BigInt(v)) : (Cls as Float32ArrayConstructor).from(data as number[]);
  } else {
    array = data as TypedArray;
  }
  const count = elementCount(dims);
  if (array.length !== count) {
    throw new RangeError(`tensor(): data has ${array.length} elements but dims [${dims.join(', ')}] need ${count}.`);
  }
  return { type, data: array, dims: [...dims] };
}

/** Buffers to transfer (not copy) when posting these tensors to another thread. */
export function transferablesOf(tensors: NamedTensors): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>();
  for (const t of Object.values(tensors)) {
    const buffer = t.data.buffer;
    // SharedArrayBuffers are shared, not transferred; a buffer can back several views.
    if (buffer instanceof ArrayBuffer) seen.add(buffer);
  }
  return [...seen];
}
