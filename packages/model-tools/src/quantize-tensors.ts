import type onnxProto from 'onnx-proto';
import { initializer, node, onnx } from './onnx-graph.js';

type Tensor = onnxProto.onnx.ITensorProto;
type NodeProto = onnxProto.onnx.INodeProto;

/** A float initializer's values, or undefined when it is not float32. */
export function floatData(t: Tensor): Float32Array | undefined {
  if (t.dataType !== onnx.TensorProto.DataType.FLOAT) return undefined;
  if (t.rawData && t.rawData.length > 0) {
    const raw = t.rawData;
    return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  }
  return t.floatData ? Float32Array.from(t.floatData) : undefined;
}

export const attrInt = (n: NodeProto, name: string, fallback: number): number => {
  const a = n.attribute?.find((x) => x.name === name);
  return a ? Number(a.i ?? a.f ?? fallback) : fallback;
};

/** uint8 asymmetric activation parameters for a calibrated range (widened to include 0, as ONNX requires 0 to be exact). */
export interface ActivationParams {
  scale: number;
  zeroPoint: number;
}

export function activationParams(min: number, max: number): ActivationParams {
  const lo = Math.min(0, min);
  const hi = Math.max(0, max);
  const scale = hi > lo ? (hi - lo) / 255 : 1;
  return { scale, zeroPoint: Math.max(0, Math.min(255, Math.round(-lo / scale))) };
}

/**
 * Symmetric int8 per-channel quantisation along `axis` of a tensor of shape `dims`: each channel
 * gets scale max|w| / 127 and zero point 0 (what ORT's int8 kernels expect of weights).
 */
export function quantizePerChannel(values: Float32Array, dims: number[], axis: number): { q: Int8Array; scales: Float32Array } {
  const channels = dims[axis]!;
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const scales = new Float32Array(channels);
  const channelOf = (i: number) => Math.floor(i / inner) % channels;
  for (let i = 0; i < values.length; i++) {
    const c = channelOf(i);
    scales[c] = Math.max(scales[c]!, Math.abs(values[i]!));
  }
  for (let c = 0; c < channels; c++) scales[c] = scales[c]! > 0 ? scales[c]! / 127 : 1;
  const q = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) q[i] = Math.max(-127, Math.min(127, Math.round(values[i]! / scales[channelOf(i)]!)));
  return { q, scales };
}

/** Emits int8 weight + per-channel scales + DequantizeLinear producing `output` (float). */
export function dequantizedWeight(values: Float32Array, dims: number[], axis: number, output: string, prefix: string) {
  const { q, scales } = quantizePerChannel(values, dims, axis);
  const channels = dims[axis]!;
  return {
    initializers: [
      initializer(`${prefix}_quantized`, 'int8', q, dims),
      initializer(`${prefix}_scale`, 'float32', scales, [channels]),
      initializer(`${prefix}_zero_point`, 'int8', new Int8Array(channels), [channels]),
    ],
    node: node('DequantizeLinear', [`${prefix}_quantized`, `${prefix}_scale`, `${prefix}_zero_point`], [output], [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: axis }], `${prefix}/DequantizeLinear`),
    scales,
  };
}

/** Bias as int32 with scale input_scale × weight_scale[c] (the QDQ form ORT fuses into QLinearConv/QGemm). */
export function dequantizedBias(bias: Float32Array, inputScale: number, weightScales: Float32Array, output: string, prefix: string) {
  const scales = Float32Array.from(weightScales, (s) => s * inputScale);
  const q = Int32Array.from(bias, (b, c) => Math.max(-2147483647, Math.min(2147483647, Math.round(b / scales[c]!))));
  return {
    initializers: [
      initializer(`${prefix}_quantized`, 'int32', q, [bias.length]),
      initializer(`${prefix}_scale`, 'float32', scales, [bias.length]),
      initializer(`${prefix}_zero_point`, 'int32', new Int32Array(bias.length), [bias.length]),
    ],
    node: node('DequantizeLinear', [`${prefix}_quantized`, `${prefix}_scale`, `${prefix}_zero_point`], [output], [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }], `${prefix}/DequantizeLinear`),
  };
}

/** QuantizeLinear → DequantizeLinear on an activation ("fake quantisation" that ORT fuses into int8 kernels). */
export function quantDequant(tensor: string, params: ActivationParams, output: string, prefix: string) {
  return {
    initializers: [initializer(`${prefix}_scale`, 'float32', new Float32Array([params.scale]), []), initializer(`${prefix}_zero_point`, 'uint8', new Uint8Array([params.zeroPoint]), [])],
    nodes: [
      node('QuantizeLinear', [tensor, `${prefix}_scale`, `${prefix}_zero_point`], [`${prefix}_quantized`], [], `${prefix}/QuantizeLinear`),
      node('DequantizeLinear', [`${prefix}_quantized`, `${prefix}_scale`, `${prefix}_zero_point`], [output], [], `${prefix}/DequantizeLinear`),
    ],
  };
}

export const safeName = (name: string) => name.replace(/[^\w/.-]/g, '_');
