import type onnxProto from 'onnx-proto';
import { attrInt, dequantizedWeight, floatData, safeName } from './quantize-tensors.js';

type Graph = onnxProto.onnx.IGraphProto;
type NodeProto = onnxProto.onnx.INodeProto;

/** Smaller tensors (biases, norms) are not worth a DequantizeLinear. */
const MIN_ELEMENTS = 256;

/** Which input of which op is a weight, and along which axis its output channels run. */
function weightAxis(n: NodeProto, inputIndex: number, rank: number): number | undefined {
  switch (n.opType) {
    case 'LSTM':
    case 'GRU':
    case 'RNN':
      // W [dirs, gates×hidden, input] and R [dirs, gates×hidden, hidden]: one scale per gate row.
      return inputIndex === 1 || inputIndex === 2 ? 1 : undefined;
    case 'Conv':
      return inputIndex === 1 ? 0 : undefined;
    case 'Gemm':
      return inputIndex === 1 ? (attrInt(n, 'transB', 0) === 1 ? 0 : 1) : undefined;
    case 'MatMul':
      return inputIndex === 1 && rank >= 2 ? rank - 1 : undefined;
    default:
      return undefined;
  }
}

/**
 * Weight-only int8 where ORT has no int8 kernel for the op or the QDQ fusion does not reach:
 * LSTM/GRU/RNN weights in the main graph, and MatMul/Gemm/Conv/LSTM weights that are initializers
 * of If/Loop/Scan bodies. The weight is stored int8 with per-channel scales and a DequantizeLinear
 * recreates the fp32 tensor under its old name; compute stays fp32, so this saves bytes, not time.
 * Subgraph weights are dequantised in the main graph (the body reads them from the outer scope),
 * so a Loop does not dequantise them on every iteration.
 *
 * Returns the names of the nodes whose weights it quantised. Mutates `main`.
 */
export function quantizeWeightsOnly(main: Graph): string[] {
  const mainNames = new Set<string>([...(main.initializer ?? []).map((t) => t.name!), ...(main.input ?? []).map((i) => i.name!)]);
  for (const n of main.node ?? []) for (const o of n.output ?? []) mainNames.add(o);
  const hoisted: NodeProto[] = [];
  const quantizedNodes: string[] = [];

  const visit = (graph: Graph, isMain: boolean, path: string) => {
    const inits = new Map((graph.initializer ?? []).map((t) => [t.name!, t]));
    const done = new Set<string>();
    const local: NodeProto[] = [];
    (graph.node ?? []).forEach((n, index) => {
      for (const a of n.attribute ?? []) for (const sub of [a.g, ...(a.graphs ?? [])]) if (sub) visit(sub, false, `${path}${n.name || `${n.opType}_${index}`}/${a.name}/`);
      if (isMain && n.opType !== 'LSTM' && n.opType !== 'GRU' && n.opType !== 'RNN') return;
      let touched = false;
      (n.input ?? []).forEach((name, inputIndex) => {
        const t = inits.get(name);
        const values = t && floatData(t);
        const dims = t?.dims?.map(Number) ?? [];
        const axis = weightAxis(n, inputIndex, dims.length);
        if (!t || !values || axis === undefined || values.length < MIN_ELEMENTS) return;
        touched = true;
        if (done.has(name)) return;
        done.add(name);
        // Hoist to the main graph unless the name would clash there; the DQ output keeps the old name.
        const hoist = !isMain && !mainNames.has(name);
        const dq = dequantizedWeight(values, dims, axis, name, `${safeName(path + name)}_weight_only`);
        (hoist ? main : graph).initializer!.push(...dq.initializers);
        (hoist ? hoisted : local).push(dq.node);
        if (hoist) mainNames.add(name);
        graph.initializer = graph.initializer!.filter((x) => x !== t);
      });
      if (touched) quantizedNodes.push(`${path}${n.name || `${n.opType}_${index}`}`);
    });
    if (local.length) graph.node = [...local, ...(graph.node ?? [])];
  };
  visit(main, true, '');
  if (hoisted.length) main.node = [...hoisted, ...(main.node ?? [])];
  return quantizedNodes;
}
