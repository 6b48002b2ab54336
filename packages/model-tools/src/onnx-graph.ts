import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
export { onnx };

export type Dim = number | string;

export interface ValueInfo {
  name: string;
  elemType: 'float32' | 'int64' | 'int32' | 'uint8' | 'int8';
  dims: Dim[];
}

const ELEM_TYPE = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
  uint8: onnx.TensorProto.DataType.UINT8,
  int8: onnx.TensorProto.DataType.INT8,
} as const;

export function valueInfo(v: ValueInfo): onnxProto.onnx.IValueInfoProto {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: ELEM_TYPE[v.elemType],
        shape: { dim: v.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** A float32/int8/uint8/int32/int64 initializer, stored as raw little-endian bytes. */
export function initializer(
  name: string,
  type: ValueInfo['elemType'],
  data: Float32Array | Int8Array | Uint8Array | Int32Array | BigInt64Array,
  dims: number[],
): onnxProto.onnx.ITensorProto {
  return { name, dataType: ELEM_TYPE[type], dims, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

export function node(opType: string, inputs: string[], outputs: string[], attributes: onnxProto.onnx.IAttributeProto[] = [], name?: string): onnxProto.onnx.INodeProto {
  return { opType, input: inputs, output: outputs, attribute: attributes, name: name ?? `${opType}_${outputs[0]}` };
}

export function intAttr(name: string, i: number): onnxProto.onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i };
}

export interface GraphSpec {
  name: string;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  initializers: onnxProto.onnx.ITensorProto[];
  nodes: onnxProto.onnx.INodeProto[];
  opset?: number;
  docString?: string;
}

/** Serialises a graph to ONNX bytes (IR 7, default opset 13: what ORT Web's WebGL EP supports). */
export function encodeModel(spec: GraphSpec): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'edgewise-model-tools',
    producerVersion: '0.1.0',
    docString: spec.docString ?? '',
    opsetImport: [{ domain: '', version: spec.opset ?? 13 }],
    graph: {
      name: spec.name,
      input: spec.inputs.map(valueInfo),
      output: spec.outputs.map(valueInfo),
      initializer: spec.initializers,
      node: spec.nodes,
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

export function decodeModel(bytes: Uint8Array): onnxProto.onnx.ModelProto {
  return onnx.ModelProto.decode(bytes);
}
