import { encodeModel, initializer, intAttr, node, onnx, quantizeStatic, seededRandom, valueInfo } from '@edgewise/model-tools';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { runModel } from './quantize-helpers.js';

const rand = seededRandom(42);
const floats = (n: number, scale = 0.3) => Float32Array.from({ length: n }, () => (rand() - 0.5) * 2 * scale);
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
const initNames = (bytes: Uint8Array) => onnx.ModelProto.decode(bytes).graph!.initializer!.map((t) => [t.name!, t.dataType!] as const);

describe('static quantization: weight-only int8 where ORT has no int8 kernel', () => {
  it('LSTM: W and R stored int8 per gate row, dequantised before the fp32 LSTM, outputs within 0.02', async () => {
    const [seq, input, hidden] = [6, 16, 32];
    const fp32 = encodeModel({
      name: 'lstm',
      inputs: [{ name: 'x', elemType: 'float32', dims: [seq, 1, input] }],
      outputs: [{ name: 'y_h', elemType: 'float32', dims: [1, 1, hidden] }],
      initializers: [
        initializer('W', 'float32', floats(4 * hidden * input), [1, 4 * hidden, input]),
        initializer('R', 'float32', floats(4 * hidden * hidden), [1, 4 * hidden, hidden]),
        initializer('B', 'float32', floats(8 * hidden, 0.1), [1, 8 * hidden]),
      ],
      nodes: [node('LSTM', ['x', 'W', 'R', 'B'], ['', 'y_h'], [intAttr('hidden_size', hidden)])],
    });
    const result = quantizeStatic(fp32, new Map());
    expect(result.quantized).toEqual([]);
    expect(result.weightOnly).toEqual(['LSTM_']);
    const names = initNames(result.bytes);
    // The fp32 W and R are gone, replaced by int8 copies; the small bias stays fp32.
    expect(names.filter(([n]) => n === 'W' || n === 'R')).toEqual([]);
    expect(names.filter(([, t]) => t === onnx.TensorProto.DataType.INT8).map(([n]) => n).sort()).toEqual(['R_weight_only_quantized', 'R_weight_only_zero_point', 'W_weight_only_quantized', 'W_weight_only_zero_point']);
    expect(result.bytes.byteLength / fp32.byteLength).toBeLessThan(0.4);
    const x = new ort.Tensor('float32', floats(seq * input, 1), [seq, 1, input]);
    const [a, b] = [await runModel(fp32, { x }), await runModel(result.bytes, { x })];
    expect(maxDiff(a, b)).toBeLessThan(0.02);
    expect(maxDiff(a, b)).toBeGreaterThan(0); // it really is the quantised weights running
  });

  it('If: MatMul weights inside both branches are quantised and hoisted to the main graph', async () => {
    const branch = (name: string, w: Float32Array) => ({
      name,
      node: [node('MatMul', ['x', `${name}/W`], [`${name}/y`])],
      initializer: [initializer(`${name}/W`, 'float32', w, [32, 16])],
      output: [valueInfo({ name: `${name}/y`, elemType: 'float32', dims: [1, 16] })],
    });
    const [wThen, wElse] = [floats(32 * 16), floats(32 * 16)];
    const fp32 = encodeModel({
      name: 'if',
      inputs: [{ name: 'cond', elemType: 'uint8', dims: [] }, { name: 'x', elemType: 'float32', dims: [1, 32] }],
      outputs: [{ name: 'y', elemType: 'float32', dims: [1, 16] }],
      initializers: [],
      nodes: [node('If', ['cond_bool'], ['y'], [
        { name: 'then_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: branch('then', wThen) },
        { name: 'else_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: branch('else', wElse) },
      ])],
    });
    // If needs a bool condition; cast from a uint8 input (bool tensors are awkward to build in tests).
    const model = onnx.ModelProto.decode(fp32);
    model.graph!.node!.unshift(node('Cast', ['cond'], ['cond_bool'], [intAttr('to', onnx.TensorProto.DataType.BOOL)]));
    const withCast = onnx.ModelProto.encode(model).finish();
    const result = quantizeStatic(withCast, new Map());
    expect(result.weightOnly).toEqual(['If_y/then_branch/MatMul_then/y', 'If_y/else_branch/MatMul_else/y']);
    const graph = onnx.ModelProto.decode(result.bytes).graph!;
    expect(graph.node!.filter((n) => n.opType === 'DequantizeLinear').map((n) => n.output![0])).toEqual(['then/W', 'else/W']);
    for (const g of graph.node!.find((n) => n.opType === 'If')!.attribute!.map((a) => a.g!)) expect(g.initializer ?? []).toEqual([]);
    const x = new ort.Tensor('float32', floats(32, 1), [1, 32]);
    for (const c of [0, 1]) {
      const cond = new ort.Tensor('uint8', Uint8Array.of(c), []);
      const [a, b] = [await runModel(withCast, { cond, x }), await runModel(result.bytes, { cond, x })];
      expect(maxDiff(a, b)).toBeLessThan(0.02);
    }
  });

  it('Loop: a recurrent MatMul weight in the body is dequantised once, outside the loop', async () => {
    const hidden = 24;
    const w = floats(hidden * hidden, 0.2);
    const body = {
      name: 'body',
      input: [valueInfo({ name: 'i', elemType: 'int64', dims: [] }), { name: 'c', type: { tensorType: { elemType: onnx.TensorProto.DataType.BOOL, shape: { dim: [] } } } }, valueInfo({ name: 'h', elemType: 'float32', dims: [1, hidden] })],
      output: [{ name: 'c_out', type: { tensorType: { elemType: onnx.TensorProto.DataType.BOOL, shape: { dim: [] } } } }, valueInfo({ name: 'h_out', elemType: 'float32', dims: [1, hidden] })],
      initializer: [initializer('body/W', 'float32', w, [hidden, hidden])],
      node: [node('Identity', ['c'], ['c_out']), node('MatMul', ['h', 'body/W'], ['hw']), node('Tanh', ['hw'], ['h_out'])],
    };
    const fp32 = encodeModel({
      name: 'loop',
      inputs: [{ name: 'h0', elemType: 'float32', dims: [1, hidden] }],
      outputs: [{ name: 'h', elemType: 'float32', dims: [1, hidden] }],
      initializers: [initializer('trips', 'int64', BigInt64Array.of(5n), [])],
      nodes: [node('Loop', ['trips', '', 'h0'], ['h'], [{ name: 'body', type: onnx.AttributeProto.AttributeType.GRAPH, g: body }])],
    });
    const result = quantizeStatic(fp32, new Map());
    expect(result.weightOnly).toEqual(['Loop_h/body/MatMul_hw']);
    const graph = onnx.ModelProto.decode(result.bytes).graph!;
    expect(graph.node![0]).toMatchObject({ opType: 'DequantizeLinear', output: ['body/W'] });
    const h0 = new ort.Tensor('float32', floats(hidden, 1), [1, hidden]);
    const [a, b] = [await runModel(fp32, { h0 }), await runModel(result.bytes, { h0 })];
    expect(maxDiff(a, b)).toBeLessThan(0.02);
  });
});
