import type { DType, NamedTensors, Tensor as EdgeTensor } from '@edgewise/core';
import type { Ort } from './ort-types.js';

type OrtTensor = InstanceType<Ort['Tensor']>;

/** ORT type names match Edgewise's except that ORT calls bool 'bool' too; all others are 1:1. */
const SUPPORTED = new Set<string>(['float32', 'float16', 'int32', 'int64', 'int8', 'uint8', 'bool']);

export function toOrtFeeds(ort: Ort, inputs: NamedTensors): Record<string, OrtTensor> {
  const feeds: Record<string, OrtTensor> = {};
  for (const [name, t] of Object.entries(inputs)) {
    // ORT keeps a reference to `data` (no copy), so feeds cost nothing beyond the wrapper object.
    feeds[name] = new ort.Tensor(t.type, t.data as never, t.dims as number[]);
  }
  return feeds;
}

/** Outputs as Edgewise tensors: at once when all are on the CPU, else after downloading GPU-resident ones. */
export function fromOrtResults(results: Record<string, OrtTensor>): NamedTensors | Promise<NamedTensors> {
  const out: NamedTensors = {};
  let downloads: Array<Promise<void>> | undefined;
  for (const name in results) {
    const value = results[name]!;
    if (!SUPPORTED.has(value.type)) throw new TypeError(`Output "${name}" has dtype ${value.type}, which Edgewise does not return.`);
    if (value.location === 'cpu') {
      out[name] = { type: value.type as DType, data: value.data as EdgeTensor['data'], dims: value.dims };
      value.dispose();
    } else {
      // GPU-resident outputs (WebGPU) need an async download.
      (downloads ??= []).push(
        value.getData(true).then((data) => {
          out[name] = { type: value.type as DType, data: data as EdgeTensor['data'], dims: value.dims };
          value.dispose();
        }),
      );
    }
  }
  return downloads ? Promise.all(downloads).then(() => out) : out;
}
