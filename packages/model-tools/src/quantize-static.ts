import type onnxProto from 'onnx-proto';
import { decodeModel, node, onnx } from './onnx-graph.js';
import { QuantizeError } from './quantize-errors.js';
import { type ActivationParams, activationParams, attrInt, dequantizedBias, dequantizedWeight, floatData, quantDequant, safeName } from './quantize-tensors.js';
import { quantizeWeightsOnly } from './quantize-weight-only.js';

type Graph = onnxProto.onnx.IGraphProto;
type NodeProto = onnxProto.onnx.INodeProto;

/** A calibrated activation: its range over the samples and its rank (MatMul + Add fuse to Gemm only at rank 2). */
export interface TensorRange {
  min: number;
  max: number;
  rank: number;
}

export interface StaticQuantizeResult {
  bytes: Uint8Array;
  /** Conv / MatMul / Gemm nodes now running int8 (QDQ around int8 per-channel weights and uint8 activations). */
  quantized: string[];
  /** Nodes whose weights are stored int8 but computed in fp32 after a DequantizeLinear (LSTM/GRU/RNN, subgraph initializers). */
  weightOnly: string[];
  /** Weight-carrying nodes left entirely in fp32, with the reason. */
  skipped: Array<{ node: string; reason: string }>;
  /** Counts of the other ops, which stay fp32 (Softmax, Reshape, …). */
  keptFloat: Record<string, number>;
}

export interface StaticQuantizeOptions {
  /**
   * Convs with fewer weights per output channel (input channels × kernel area) stay fp32: ORT
   * WASM's int8 conv on a 1-channel 3×3 input ran ~40× slower than its fp32 FusedConv at batch 32
   * (profiled on the MNIST CNN), while 16→32 channel convs ran faster. Default 32.
   */
  minConvDepth?: number;
}

interface Candidate {
  node: NodeProto;
  name: string;
  kind: 'conv' | 'gemm' | 'matmul';
  /** MatMul followed by Add(constant bias): the Add, fused into a Gemm when the input is rank 2. */
  add?: NodeProto;
}

/** Ops that move values without changing them: their output keeps the input's scale (so ORT can run them on int8). */
const PASS_THROUGH = new Set(['MaxPool', 'Reshape', 'Flatten', 'Transpose', 'Squeeze', 'Unsqueeze']);
const WEIGHT_OPS = new Set(['Conv', 'ConvTranspose', 'MatMul', 'Gemm', 'LSTM', 'GRU', 'RNN', 'If', 'Loop', 'Scan']);

function analyse(graph: Graph, options: StaticQuantizeOptions) {
  const minConvDepth = options.minConvDepth ?? 32;
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name!, t]));
  const consumers = new Map<string, NodeProto[]>();
  for (const n of graph.node ?? []) for (const i of n.input ?? []) if (i) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const outputs = new Set((graph.output ?? []).map((o) => o.name!));
  const constFloat = (name: string | undefined, rank?: number) => {
    const t = name ? inits.get(name) : undefined;
    return t && floatData(t) && (rank === undefined || (t.dims ?? []).length === rank) ? t : undefined;
  };
  const only = (tensor: string, op: string) => {
    const c = consumers.get(tensor) ?? [];
    return c.length === 1 && c[0]!.opType === op && !outputs.has(tensor) ? c[0] : undefined;
  };
  const candidates: Candidate[] = [];
  const skipped: StaticQuantizeResult['skipped'] = [];
  (graph.node ?? []).forEach((n, index) => {
    const name = n.name || `${n.opType}_${index}`;
    const [, w, b] = n.input ?? [];
    let why: string | undefined;
    if (n.opType === 'Conv') {
      const weight = constFloat(w);
      const depth = (weight?.dims ?? []).slice(1).reduce((a, d) => a * Number(d), 1);
      why = !weight || (weight.dims ?? []).length < 3
        ? 'weight is not a constant float32 tensor'
        : b && !constFloat(b, 1)
          ? 'bias is not a constant float32 vector'
          : depth < minConvDepth
            ? `${depth} weights per output channel (< minConvDepth ${minConvDepth}): too shallow for ORT WASM's int8 conv to pay`
            : undefined;
      if (!why) return void candidates.push({ node: n, name, kind: 'conv' });
    } else if (n.opType === 'Gemm') {
      why = !constFloat(w, 2)
        ? 'weight is not a constant float32 2-D matrix'
        : attrInt(n, 'transA', 0) !== 0 || attrInt(n, 'alpha', 1) !== 1 || attrInt(n, 'beta', 1) !== 1
          ? 'Gemm with transA, alpha or beta ≠ defaults'
          : b && !constFloat(b, 1)
            ? 'bias is not a constant float32 vector'
            : undefined;
      if (!why) return void candidates.push({ node: n, name, kind: 'gemm' });
    } else if (n.opType === 'MatMul') {
      const weight = constFloat(w, 2);
      why = weight ? undefined : 'weight is not a constant float32 2-D matrix';
      if (!why) {
        const add = only(n.output![0]!, 'Add');
        const other = add?.input?.find((i) => i !== n.output![0]);
        const bias = constFloat(other, 1);
        const columns = Number(weight!.dims![1]);
        return void candidates.push({ node: n, name, kind: 'matmul', ...(add && bias && Number(bias.dims![0]) === columns ? { add } : {}) });
      }
    } else if (WEIGHT_OPS.has(n.opType!) && n.opType !== 'LSTM' && n.opType !== 'GRU' && n.opType !== 'RNN' && n.opType !== 'If' && n.opType !== 'Loop' && n.opType !== 'Scan') {
      why = `${n.opType} has no int8 kernel that ORT fuses from QDQ`;
    }
    if (why) skipped.push({ node: name, reason: why });
  });
  /** Where a candidate's quantised output sits: after a sole Relu consumer, so ORT folds the Relu into the int8 op. */
  const quantPoint = (tensor: string) => only(tensor, 'Relu')?.output?.[0] ?? tensor;
  return { inits, consumers, outputs, candidates, skipped, quantPoint, only };
}

/** The float tensors whose ranges quantizeStatic needs; calibration runs the fp32 model with these as extra outputs. */
export function planStaticQuantization(modelBytes: Uint8Array, options: StaticQuantizeOptions = {}): string[] {
  const { graph } = decodeChecked(modelBytes);
  const { candidates, quantPoint } = analyse(graph, options);
  const tensors = new Set<string>();
  for (const c of candidates) {
    tensors.add(c.node.input![0]!);
    tensors.add(quantPoint(c.node.output![0]!));
    if (c.add) tensors.add(quantPoint(c.add.output![0]!));
  }
  return [...tensors];
}

function decodeChecked(modelBytes: Uint8Array) {
  let model: onnxProto.onnx.ModelProto;
  try {
    model = decodeModel(modelBytes);
  } catch (cause) {
    throw new QuantizeError('E_MODEL_FORMAT', `Not an ONNX model: protobuf decoding failed (${(cause as Error).message}).`, { cause });
  }
  const graph = model.graph as Graph | null;
  if (!graph || !graph.node || graph.node.length === 0) throw new QuantizeError('E_MODEL_FORMAT', 'Not an ONNX model: it has no graph nodes.');
  const opset = model.opsetImport?.find((o) => !o.domain)?.version;
  if (opset === undefined || Number(opset) < 13) {
    throw new QuantizeError('E_UNSUPPORTED_MODEL', `Opset ${opset ?? 'missing'} is too old for static quantisation: per-channel DequantizeLinear needs opset ≥ 13. Convert the model, or use dynamic mode (opset ≥ 11).`);
  }
  return { model, graph };
}

/**
 * Static int8 quantisation in QDQ form, the format onnxruntime's own quantize_static writes and
 * its graph optimiser (graphOptimizationLevel 'all', as the engine sets it) fuses into
 * QLinearConv / QGemm / QLinearMatMul: int8 weights with per-channel scales, int32 biases, and
 * uint8 activations whose ranges come from `ranges` (see calibrateRanges). A MatMul followed by a
 * bias Add on a rank-2 input becomes one Gemm. LSTM/GRU/RNN weights and initializers inside
 * If/Loop/Scan subgraphs are stored int8 and dequantised to fp32 (weight-only).
 *
 * @example
 * const ranges = await calibrateRanges(fp32, planStaticQuantization(fp32), samples, [1, 784]);
 * const { bytes, quantized, weightOnly, skipped } = quantizeStatic(fp32, ranges);
 */
export function quantizeStatic(modelBytes: Uint8Array, ranges: ReadonlyMap<string, TensorRange>, options: StaticQuantizeOptions = {}): StaticQuantizeResult {
  const { model, graph } = decodeChecked(modelBytes);
  const { inits, candidates, skipped, quantPoint, only } = analyse(graph, options);
  const missing = planStaticQuantization(modelBytes, options).filter((t) => !ranges.has(t));
  if (missing.length) throw new QuantizeError('E_CALIBRATION', `No calibrated range for ${missing.length} tensor(s): ${missing.slice(0, 5).join(', ')}. Calibrate with planStaticQuantization's tensors.`);

  // Activation parameters: calibrated at each candidate's input and quantisation point.
  const params = new Map<string, ActivationParams>();
  const calibrated = (t: string) => {
    const r = ranges.get(t)!;
    params.set(t, activationParams(r.min, r.max));
  };
  const fusedAdds = new Set<NodeProto>();
  for (const c of candidates) {
    calibrated(c.node.input![0]!);
    if (c.add && ranges.get(c.node.input![0]!)!.rank === 2) {
      fusedAdds.add(c.add);
      calibrated(quantPoint(c.add.output![0]!));
    } else {
      delete c.add;
      calibrated(quantPoint(c.node.output![0]!));
    }
  }
  // Pass-through ops between quantised tensors inherit their input's parameters (ORT drops the Q/DQ
  // pair around them only when scales match); "wanted" walks backwards from quantised tensors.
  const producer = new Map<string, NodeProto>();
  for (const n of graph.node!) for (const o of n.output ?? []) producer.set(o, n);
  const wanted = new Set(params.keys());
  for (const n of [...graph.node!].reverse()) {
    if (PASS_THROUGH.has(n.opType!) && wanted.has(n.output![0]!)) wanted.add(n.input![0]!);
  }
  for (const n of graph.node!) {
    const [input, output] = [n.input?.[0], n.output?.[0]];
    if (PASS_THROUGH.has(n.opType!) && input && output && params.has(input) && wanted.has(output)) params.set(output, params.get(input)!);
  }

  const added: onnxProto.onnx.ITensorProto[] = [];
  const newNodes: NodeProto[] = [];
  const dqName = new Map<string, string>();
  const quantizers = new Set<NodeProto>();
  const qdqFor = (tensor: string, source = tensor) => {
    const p = params.get(tensor);
    if (!p || dqName.has(tensor)) return;
    const prefix = `${safeName(tensor)}_qdq`;
    const q = quantDequant(source, p, `${prefix}/dequantized`, prefix);
    added.push(...q.initializers);
    newNodes.push(...q.nodes);
    quantizers.add(q.nodes[0]!);
    dqName.set(tensor, `${prefix}/dequantized`);
  };
  // A Relu right before a QuantizeLinear whose zero point is 0 is the saturation itself: drop it, so
  // ORT sees the plain DQ → op → Q pattern it fuses (the same rewrite as its ReluQuantFusion, done
  // here so it does not depend on ORT running that pass before its fp32 Conv+Relu fusion).
  const foldedRelus = new Map<NodeProto, string>();
  for (const c of candidates) {
    const pre = c.add ? c.add.output![0]! : c.node.output![0]!;
    const relu = only(pre, 'Relu');
    if (relu && params.get(relu.output![0]!)?.zeroPoint === 0) foldedRelus.set(relu, pre);
  }
  for (const i of graph.input ?? []) qdqFor(i.name!);
  const byNode = new Map(candidates.map((c) => [c.node, c]));
  const original = [...graph.node!];
  const quantized: string[] = [];
  for (const n of graph.node!) {
    if (fusedAdds.has(n)) continue;
    if (foldedRelus.has(n)) {
      qdqFor(n.output![0]!, foldedRelus.get(n)!);
      continue;
    }
    const c = byNode.get(n);
    if (!c) {
      newNodes.push(n);
      for (const o of n.output ?? []) qdqFor(o);
      continue;
    }
    const prefix = `${safeName(c.name)}_quant`;
    const [input, w, b] = n.input as [string, string, string | undefined];
    const weight = inits.get(w)!;
    const dims = weight.dims!.map(Number);
    const axis = c.kind === 'conv' || (c.kind === 'gemm' && attrInt(n, 'transB', 0) === 1) ? 0 : 1;
    const dw = dequantizedWeight(floatData(weight)!, dims, axis, `${prefix}/W`, `${prefix}/W`);
    added.push(...dw.initializers);
    newNodes.push(dw.node);
    const biasName = c.add ? c.add.input!.find((i) => i !== n.output![0]) : b;
    const inputs = [input, `${prefix}/W`];
    if (biasName) {
      const db = dequantizedBias(floatData(inits.get(biasName)!)!, params.get(input)!.scale, dw.scales, `${prefix}/B`, `${prefix}/B`);
      added.push(...db.initializers);
      newNodes.push(db.node);
      inputs.push(`${prefix}/B`);
    }
    const out = c.add ? c.add.output![0]! : n.output![0]!;
    const rewritten = c.add ? node('Gemm', inputs, [out], [], `${c.name}/Gemm`) : { ...n, input: inputs };
    newNodes.push(rewritten);
    qdqFor(out);
    quantized.push(c.name);
  }
  // Every consumer reads the dequantised copy, except the QuantizeLinear that makes it.
  for (const n of newNodes) {
    if (quantizers.has(n)) continue;
    n.input = (n.input ?? []).map((i) => dqName.get(i) ?? i);
  }
  graph.node = newNodes;
  graph.initializer = [...(graph.initializer ?? []), ...added];
  const weightOnly = quantizeWeightsOnly(graph);
  dropUnusedInitializers(graph);

  if (quantized.length + weightOnly.length === 0) {
    throw new QuantizeError('E_NOTHING_TO_QUANTIZE', `No Conv, MatMul, Gemm, LSTM/GRU/RNN or subgraph weights to quantise${skipped.length ? `: ${skipped.map((s) => `${s.node} (${s.reason})`).join('; ')}` : ''}.`);
  }
  const keptFloat: Record<string, number> = {};
  for (const n of original) if (!byNode.has(n) && !fusedAdds.has(n) && !foldedRelus.has(n)) keptFloat[n.opType!] = (keptFloat[n.opType!] ?? 0) + 1;
  model.producerName = `${model.producerName || 'unknown'} + edgewise-quantize-static`;
  return { bytes: onnx.ModelProto.encode(model).finish(), quantized, weightOnly, skipped, keptFloat };
}

/** Removes initializers no node (in any subgraph) reads any more: the fp32 originals of quantised weights. */
function dropUnusedInitializers(graph: Graph) {
  const used = new Set((graph.output ?? []).map((o) => o.name!));
  const visit = (g: Graph) => {
    for (const n of g.node ?? []) {
      for (const i of n.input ?? []) used.add(i);
      for (const a of n.attribute ?? []) for (const sub of [a.g, ...(a.graphs ?? [])]) if (sub) visit(sub);
    }
  };
  visit(graph);
  graph.initializer = (graph.initializer ?? []).filter((t) => used.has(t.name!));
}
