import { fileURLToPath } from 'node:url';
import { AllBackendsFailedError, InputError, ModelFormatError, ModelSourceError, tensor } from '@edgewise/core';
import { denseNetworkForward } from '@edgewise/model-tools';
import { describe, expect, it } from 'vitest';
import { tinyMlp } from '../../models/scripts/tiny-mlp.js';
import { createNodeRuntime } from '@edgewise/node';

const modelPath = (p: string) => fileURLToPath(new URL(`../../models/generated/tiny-mlp/${p}`, import.meta.url));
const net = tinyMlp();
const x = Float32Array.from({ length: 16 }, (_, i) => Math.sin(i) * 0.8);
const expected = denseNetworkForward(net, x);

describe('Node runtime', () => {
  it('runs the ONNX model on onnxruntime-web wasm and matches the reference forward pass', async () => {
    const model = await createNodeRuntime().loadModel({ source: modelPath('model.onnx'), engine: 'onnx' });
    expect(model.backend).toBe('wasm');
    expect(model.inputs).toEqual([{ name: 'input', type: 'float32', dims: [1, 16] }]);
    const { probabilities } = await model.run({ input: tensor('float32', x, [1, 16]) });
    expect(probabilities!.dims).toEqual([1, 4]);
    for (let i = 0; i < 4; i++) expect(probabilities!.data[i]).toBeCloseTo(expected[i]!, 5);
    await model.dispose();
  });

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`runs the TF.js layers model on tfjs ${backend} with the same output`, async () => {
      const model = await createNodeRuntime().loadModel({ source: modelPath('tfjs/model.json'), engine: 'tfjs', backends: [backend] });
      expect(model.backend).toBe(backend);
      const out = await model.run({ [model.inputs[0]!.name]: tensor('float32', x, [1, 16]) });
      const probs = out[model.outputs[0]!.name]!;
      for (let i = 0; i < 4; i++) expect(probs.data[i]).toBeCloseTo(expected[i]!, 5);
      await model.dispose();
    });
  }

  it('skips backends the platform lacks and says why', async () => {
    const model = await createNodeRuntime().loadModel({ source: modelPath('model.onnx'), engine: 'onnx', backends: ['webgpu', 'wasm'] });
    expect(model.backend).toBe('wasm');
    expect(model.attempts[0]).toMatchObject({ backend: 'webgpu', outcome: 'skipped', phase: 'load' });
    expect(model.attempts[0]!.reason).toMatch(/no "webgpu" backend/);
    await model.dispose();
  });

  it('answers concurrent runs in order without "session already started"', async () => {
    const model = await createNodeRuntime().loadModel({ source: modelPath('model-dynamic.onnx'), engine: 'onnx' });
    const inputs = Array.from({ length: 20 }, (_, k) => Float32Array.from({ length: 16 }, (_, i) => Math.cos(i + k)));
    const results = await Promise.all(inputs.map((data) => model.run({ input: tensor('float32', data, [1, 16]) })));
    results.forEach((r, k) => {
      const want = denseNetworkForward(net, inputs[k]!);
      expect(r.probabilities!.data[0]).toBeCloseTo(want[0]!, 5);
    });
    await model.dispose();
  });

  it('rejects bad inputs with a typed error naming the input and keeps working', async () => {
    const model = await createNodeRuntime().loadModel({ source: modelPath('model.onnx'), engine: 'onnx' });
    await expect(model.run({ wrong: tensor('float32', x, [1, 16]) })).rejects.toThrow(/input "wrong".*one of "input"/);
    await expect(model.run({ input: tensor('float32', new Float32Array(8), [1, 8]) })).rejects.toThrow(/axis 1 must be 16/);
    await expect(model.run({ input: tensor('int32', new Int32Array(16), [1, 16]) })).rejects.toThrow(/dtype int32.*dtype float32/);
    const nan = x.slice();
    nan[3] = NaN;
    const error = await model.run({ input: tensor('float32', nan, [1, 16]) }).catch((e) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ code: 'E_INPUT', input: 'input', received: 'NaN at flat index 3' });
    const ok = await model.run({ input: tensor('float32', x, [1, 16]) });
    expect(ok.probabilities!.data[0]).toBeCloseTo(expected[0]!, 5);
    await model.dispose();
  });

  it('rejects a file that is not a model with ModelFormatError', async () => {
    const runtime = createNodeRuntime();
    const bytes = new TextEncoder().encode('this is not an onnx model at all, just text');
    await expect(runtime.loadModel({ source: bytes, engine: 'onnx' })).rejects.toBeInstanceOf(ModelFormatError);
    await expect(runtime.loadModel({ source: { entry: 'model.json', files: { 'model.json': bytes } }, engine: 'tfjs' })).rejects.toBeInstanceOf(
      ModelFormatError,
    );
  });

  it('lists every backend cause when none can load the model', async () => {
    // A good model, but no backend asked for exists here: each attempt keeps its own reason.
    const error = await createNodeRuntime()
      .loadModel({ source: modelPath('model.onnx'), engine: 'onnx', backends: ['webgpu', 'webgl'] })
      .catch((e) => e);
    expect(error).toBeInstanceOf(AllBackendsFailedError);
    expect(error.code).toBe('E_ALL_BACKENDS_FAILED');
    expect(error.attempts).toEqual([
      expect.objectContaining({ backend: 'webgpu', outcome: 'skipped', reason: expect.stringContaining('"webgpu"') }),
      expect.objectContaining({ backend: 'webgl', outcome: 'skipped', reason: expect.stringContaining('"webgl"') }),
    ]);
    expect(error.message).toMatch(/webgpu: skipped[\s\S]*webgl: skipped/);
  });

  it('a model no backend can parse is ModelFormatError with the parser\'s reason, not a backend failure', async () => {
    // Truncated protobuf: passes the magic-byte check, fails inside ORT. Trying further backends
    // would fail the same way, so the model (not the backend) is blamed.
    const truncated = new Uint8Array([0x08, 0x07, 0x12, 0x10, ...new Array(20).fill(0x41)]);
    const error = await createNodeRuntime().loadModel({ source: truncated, engine: 'onnx', backends: ['webgl', 'wasm'] }).catch((e) => e);
    expect(error).toBeInstanceOf(ModelFormatError);
    expect(error.code).toBe('E_MODEL_FORMAT');
    expect(error.message).toMatch(/could not be parsed as ONNX.*protobuf parsing failed/);
  });

  it('reports a missing file and a bad option by name', async () => {
    const runtime = createNodeRuntime();
    await expect(runtime.loadModel({ source: '/nonexistent/model.onnx', engine: 'onnx' })).rejects.toBeInstanceOf(ModelSourceError);
    await expect(runtime.loadModel({ source: modelPath('model.onnx'), engine: 'onnx', backends: ['tpu' as never] })).rejects.toThrow(
      /unknown backend "tpu".*allowed: webgpu, webgl, wasm, cpu/,
    );
    await expect(runtime.loadModel({ source: modelPath('model.onnx'), engine: 'pytorch' })).rejects.toThrow(/Unknown engine "pytorch".*"onnx", "tfjs"/);
  });
});

describe('onnxruntime-node where installed', () => {
  it("prefers 'cpu' (onnxruntime-node) when asked, and falls back to WASM with the reason when it is not installed", async () => {
    const model = await createNodeRuntime({ onnxBackends: ['cpu', 'wasm'] }).loadModel({ source: modelPath('model.onnx'), engine: 'onnx' });
    let installed = true;
    try {
      await import(['onnxruntime', 'node'].join('-'));
    } catch {
      installed = false;
    }
    if (installed) {
      expect(model.backend).toBe('cpu');
    } else {
      expect(model.backend).toBe('wasm');
      expect(model.attempts[0]).toMatchObject({ backend: 'cpu', outcome: 'failed' });
      expect(model.attempts[0]!.reason).toMatch(/onnxruntime module could not be loaded.*onnxruntime-node/);
    }
    const { probabilities } = await model.run({ input: tensor('float32', x, [1, 16]) });
    for (let i = 0; i < 4; i++) expect(probabilities!.data[i]).toBeCloseTo(expected[i]!, 5);
  });
});
