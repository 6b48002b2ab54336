import { intAttr, node, onnx, seededRandom, valueInfo } from '@edgewise/model-tools';

/**
 * A dense network [sizes…] (MatMul + Add, ReLU between, softmax last) whose weights live in a
 * separate file, as large ONNX models ship: `graph` names each initializer's place in `weights` by
 * offset and length (ONNX external data). Random seeded weights: only size and shape matter where
 * it is used (store benchmark, multi-file tests).
 */
export function denseModelWithExternalData(sizes: number[], seed: number, weightsPath: string): { graph: Uint8Array; weights: Uint8Array; forward: (x: Float32Array) => Float32Array } {
  const rand = seededRandom(seed);
  const tensors: Array<{ name: string; dims: number[]; data: Float32Array }> = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const [fanIn, fanOut] = [sizes[i]!, sizes[i + 1]!];
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const kernel = new Float32Array(fanIn * fanOut);
    for (let k = 0; k < kernel.length; k++) kernel[k] = (rand() * 2 - 1) * limit;
    const bias = new Float32Array(fanOut);
    for (let k = 0; k < fanOut; k++) bias[k] = (rand() - 0.5) * 0.2;
    tensors.push({ name: `dense${i}/kernel`, dims: [fanIn, fanOut], data: kernel }, { name: `dense${i}/bias`, dims: [fanOut], data: bias });
  }
  const weights = new Uint8Array(tensors.reduce((s, t) => s + t.data.byteLength, 0));
  let offset = 0;
  const initializer = tensors.map((t) => {
    weights.set(new Uint8Array(t.data.buffer), offset);
    const entry = {
      name: t.name,
      dataType: onnx.TensorProto.DataType.FLOAT,
      dims: t.dims,
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [
        { key: 'location', value: weightsPath },
        { key: 'offset', value: String(offset) },
        { key: 'length', value: String(t.data.byteLength) },
      ],
    };
    offset += t.data.byteLength;
    return entry;
  });
  const nodes = [];
  let current = 'input';
  for (let i = 0; i + 1 < sizes.length; i++) {
    nodes.push(node('MatMul', [current, `dense${i}/kernel`], [`dense${i}/matmul`]), node('Add', [`dense${i}/matmul`, `dense${i}/bias`], [`dense${i}/out`]));
    current = `dense${i}/out`;
    if (i + 2 < sizes.length) {
      nodes.push(node('Relu', [current], [`dense${i}/relu`]));
      current = `dense${i}/relu`;
    }
  }
  nodes.push(node('Softmax', [current], ['probabilities'], [intAttr('axis', -1)]));
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'edgewise-model-tools',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'dense-external',
      input: [valueInfo({ name: 'input', elemType: 'float32', dims: [1, sizes[0]!] })],
      output: [valueInfo({ name: 'probabilities', elemType: 'float32', dims: [1, sizes.at(-1)!] })],
      initializer,
      node: nodes,
    },
  });
  const forward = (x: Float32Array) => {
    let v = Array.from(x);
    for (let i = 0; i + 1 < sizes.length; i++) {
      const kernel = tensors[2 * i]!.data;
      const bias = tensors[2 * i + 1]!.data;
      const out = Array.from(bias);
      for (let r = 0; r < sizes[i]!; r++) for (let c = 0; c < sizes[i + 1]!; c++) out[c]! += v[r]! * kernel[r * sizes[i + 1]! + c]!;
      v = i + 2 < sizes.length ? out.map((o) => Math.max(0, o)) : out;
    }
    const max = Math.max(...v);
    const exp = v.map((o) => Math.exp(o - max));
    const sum = exp.reduce((a, b) => a + b, 0);
    return Float32Array.from(exp, (e) => e / sum);
  };
  return { graph: onnx.ModelProto.encode(model).finish(), weights, forward };
}
