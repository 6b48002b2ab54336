import type onnxProto from 'onnx-proto';
import { decodeModel, initializer, node, onnx } from './onnx-graph.js';
import { QuantizeError } from './quantize-errors.js';
import { floatData } from './quantize-tensors.js';
import { quantizePerColumn, transpose } from './quantize-weights.js';

type Graph = onnxProto.onnx.IGraphProto;
type Tensor = onnxProto.onnx.ITensorProto;
type NodeProto = onnxProto.onnx.INodeProto;

export interface QuantizeResult {
  bytes: Uint8Array;
  /** Names of the MatMul/Gemm nodes that were quantised, and of those left in float with the reason. */
  quantized: string[];
  skipped: Array<{ node: string; reason: string }>;
}

const attr = (n: NodeProto, name: string, fallback: number) => {
  const a = n.attribute?.find((x) => x.name === name);
  return a ? Number(a.i ?? a.f ?? fallback) : fallback;
};

/** Emits DynamicQuantizeLinear → MatMulInteger → Cast → Mul for `input × W` into `output`. */
function quantizedMatMul(input: string, weights: Float32Array, k: number, n: number, output: string, prefix: string) {
  const { q, scales } = quantizePerColumn(weights, k, n);
  const initializers = [
    initializer(`${prefix}/W_quantized`, 'int8', q, [k, n]),
    initializer(`${prefix}/W_scale`, 'float32', scales, [n]),
    initializer(`${prefix}/W_zero_point`, 'int8', new Int8Array(n), [n]),
  ];
  const nodes = [
    node('DynamicQuantizeLinear', [input], [`${prefix}/x_q`, `${prefix}/x_scale`, `${prefix}/x_zero_point`], [], `${prefix}/DynamicQuantizeLinear`),
    node('MatMulInteger', [`${prefix}/x_q`, `${prefix}/W_quantized`, `${prefix}/x_zero_point`, `${prefix}/W_zero_point`], [`${prefix}/y_int32`], [], `${prefix}/MatMulInteger`),
    node('Cast', [`${prefix}/y_int32`], [`${prefix}/y_float`], [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: onnx.TensorProto.DataType.FLOAT }], `${prefix}/Cast`),
    node('Mul', [`${prefix}/x_scale`, `${prefix}/W_scale`], [`${prefix}/scale`], [], `${prefix}/ScaleMul`),
    node('Mul', [`${prefix}/y_float`, `${prefix}/scale`], [output], [], `${prefix}/OutputMul`),
  ];
  return { initializers, nodes };
}

/**
 * Dynamic int8 quantisation, as onnxruntime's quantize_dynamic does it: MatMul and Gemm nodes whose
 * weight is a constant 2-D float matrix become DynamicQuantizeLinear + MatMulInteger (uint8
 * activations quantised at run time, int8 weights with per-column scales); every other op is kept.
 *
 * @example
 * const { bytes, quantized } = quantizeDynamic(readFileSync('model.onnx'));
 */
export function quantizeDynamic(modelBytes: Uint8Array): QuantizeResult {
  let model: onnxProto.onnx.ModelProto;
  try {
    model = decodeModel(modelBytes);
  } catch (cause) {
    throw new QuantizeError('E_MODEL_FORMAT', `Not an ONNX model: protobuf decoding failed (${(cause as Error).message}).`, { cause });
  }
  const graph = model.graph as Graph | null;
  if (!graph || !graph.node || graph.node.length === 0) throw new QuantizeError('E_MODEL_FORMAT', 'Not an ONNX model: it has no graph nodes.');
  const opset = model.opsetImport?.find((o) => !o.domain)?.version;
  if (opset === undefined || Number(opset) < 11) {
    throw new QuantizeError('E_UNSUPPORTED_MODEL', `Opset ${opset ?? 'missing'} is too old: DynamicQuantizeLinear needs opset ≥ 11. Convert the model to a newer opset first.`);
  }
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name!, t]));
  const useCount = new Map<string, number>();
  for (const n of graph.node) for (const i of n.input ?? []) useCount.set(i, (useCount.get(i) ?? 0) + 1);

  const newNodes: NodeProto[] = [];
  const added: Tensor[] = [];
  const replacedWeights = new Set<string>();
  const quantized: string[] = [];
  const skipped: QuantizeResult['skipped'] = [];
  graph.node.forEach((n, index) => {
    const name = n.name || `${n.opType}_${index}`;
    if (n.opType !== 'MatMul' && n.opType !== 'Gemm') return void newNodes.push(n);
    const [input, weightName, bias] = n.input ?? [];
    const weight = initializers.get(weightName ?? '');
    const dims = weight?.dims?.map(Number) ?? [];
    const data = weight && floatData(weight);
    const why = !weight
      ? 'weight is not a constant initializer'
      : dims.length !== 2
        ? `weight has rank ${dims.length}, not 2`
        : !data
          ? 'weight is not float32'
          : n.opType === 'Gemm' && (attr(n, 'transA', 0) !== 0 || attr(n, 'alpha', 1) !== 1 || attr(n, 'beta', 1) !== 1)
            ? 'Gemm with transA, alpha or beta ≠ defaults'
            : undefined;
    if (why) {
      skipped.push({ node: name, reason: why });
      return void newNodes.push(n);
    }
    let [k, cols] = dims as [number, number];
    let w = data!;
    if (n.opType === 'Gemm' && attr(n, 'transB', 0) === 1) {
      w = transpose(w, k, cols);
      [k, cols] = [cols, k];
    }
    const prefix = `${name.replace(/[^\w/.-]/g, '_')}_quant`;
    const output = n.output![0]!;
    const product = bias ? `${prefix}/product` : output;
    const q = quantizedMatMul(input!, w, k, cols, product, prefix);
    newNodes.push(...q.nodes);
    if (bias) newNodes.push(node('Add', [product, bias], [output], [], `${prefix}/BiasAdd`));
    added.push(...q.initializers);
    if (useCount.get(weightName!) === 1) replacedWeights.add(weightName!);
    quantized.push(name);
  });
  if (quantized.length === 0) {
    throw new QuantizeError(
      'E_NOTHING_TO_QUANTIZE',
      `No MatMul or Gemm with a constant float32 2-D weight to quantise${skipped.length ? `: ${skipped.map((s) => `${s.node} (${s.reason})`).join('; ')}` : ''}.`,
    );
  }
  graph.node = newNodes;
  graph.initializer = [...(graph.initializer ?? []).filter((t) => !replacedWeights.has(t.name!)), ...added];
  model.producerName = `${model.producerName || 'unknown'} + edgewise-quantize`;
  return { bytes: onnx.ModelProto.encode(model).finish(), quantized, skipped };
}
