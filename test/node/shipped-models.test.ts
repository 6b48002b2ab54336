import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { tensor, type Model } from '@edgewise/core';
import { createNodeRuntime } from '@edgewise/node';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { loadMnist } from '../../models/scripts/mnist-data.js';
import { packageFile } from '../../models/scripts/package-file.js';

const generated = (p: string) => fileURLToPath(new URL(`../../models/generated/${p}`, import.meta.url));

describe('real models through loadModel (Node)', () => {
  it('MNIST fp32 and int8 ONNX and the TF.js layers model classify the test split', async () => {
    const runtime = createNodeRuntime();
    const { test } = loadMnist();
    const accuracy = async (model: Model) => {
      let correct = 0;
      const [inName, outName] = [model.inputs[0]!.name, model.outputs[0]!.name];
      for (let i = 0; i < test.count; i += 4) {
        const out = await model.run({ [inName]: tensor('float32', test.images.slice(i * 784, (i + 1) * 784), [1, 784]) });
        const p = Array.from(out[outName]!.data as Float32Array);
        if (p.indexOf(Math.max(...p)) === test.labels[i]) correct++;
      }
      return correct / Math.ceil(test.count / 4);
    };
    const fp32 = await runtime.loadModel({ source: generated('mnist/model.onnx'), engine: 'onnx' });
    const int8 = await runtime.loadModel({ source: generated('mnist/model-int8.onnx'), engine: 'onnx' });
    const layers = await runtime.loadModel({ source: generated('mnist/tfjs/model.json'), engine: 'tfjs', backends: ['wasm'] });
    const [a, b, c] = [await accuracy(fp32), await accuracy(int8), await accuracy(layers)];
    expect(a).toBeGreaterThan(0.93);
    expect(Math.abs(a - b)).toBeLessThan(0.01);
    expect(c).toBeCloseTo(a, 2);
  });

  it('silero VAD: recurrent state is carried across calls, and silence scores low', async () => {
    const vad = await createNodeRuntime().loadModel({ source: generated('silero-vad/silero_vad_v5.onnx'), engine: 'onnx' });
    const sr = tensor('int64', [16000], []);
    // A voiced-like chunk: 150 Hz fundamental with harmonics and a syllable envelope.
    const chunk = (k: number) =>
      Float32Array.from({ length: 512 }, (_, i) => {
        const t = (k * 512 + i) / 16000;
        const envelope = 0.5 + 0.5 * Math.sin(2 * Math.PI * 4 * t);
        return envelope * 0.3 * [1, 2, 3, 4].reduce((s, h) => s + Math.sin(2 * Math.PI * 150 * h * t) / h, 0);
      });
    let state = tensor('float32', new Float32Array(256), [2, 1, 128]);
    const probabilities: number[] = [];
    for (let k = 0; k < 8; k++) {
      const out = await vad.run({ input: tensor('float32', chunk(k), [1, 512]), state, sr });
      expect(out.stateN!.dims).toEqual([2, 1, 128]);
      state = out.stateN!;
      probabilities.push(out.output!.data[0] as number);
    }
    // Same chunk, fresh state vs carried state: the state changes the answer.
    const fresh = await vad.run({ input: tensor('float32', chunk(7), [1, 512]), state: tensor('float32', new Float32Array(256), [2, 1, 128]), sr });
    expect(Math.abs((fresh.output!.data[0] as number) - probabilities[7]!)).toBeGreaterThan(1e-4);
    let silentState = tensor('float32', new Float32Array(256), [2, 1, 128]);
    let silence = 0;
    for (let k = 0; k < 8; k++) {
      const out = await vad.run({ input: tensor('float32', new Float32Array(512), [1, 512]), state: silentState, sr });
      silentState = out.stateN!;
      silence = out.output!.data[0] as number;
    }
    expect(silence).toBeLessThan(0.1);
    await vad.dispose();
  });

  it('uint8-quantized handtrack graph model on a real photo matches plain TF.js', async () => {
    const photo = jpeg.decode(readFileSync(packageFile('@vladmandic/human', 'assets/samples.jpg')), { useTArray: true });
    // Nearest-neighbour resize to the model's 320×320 RGB input.
    const pixels = new Int32Array(320 * 320 * 3);
    for (let y = 0; y < 320; y++)
      for (let x = 0; x < 320; x++)
        for (let c = 0; c < 3; c++)
          pixels[(y * 320 + x) * 3 + c] = photo.data[(Math.floor((y * photo.height) / 320) * photo.width + Math.floor((x * photo.width) / 320)) * 4 + c]!;

    const model = await createNodeRuntime().loadModel({ source: generated('handtrack/handtrack.json'), engine: 'tfjs', backends: ['cpu'] });
    expect(model.inputs[0]).toMatchObject({ name: 'input_tensor', type: 'int32', dims: [1, null, null, 3] });
    const ours = await model.run({ [model.inputs[0]!.name]: tensor('int32', pixels.slice(), [1, 320, 320, 3]) });

    await tf.setBackend('cpu');
    const json = JSON.parse(readFileSync(generated('handtrack/handtrack.json'), 'utf8'));
    const bin = readFileSync(generated('handtrack/handtrack.bin'));
    const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
    const plain = await loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData, format: json.format }));
    const result = (await plain.executeAsync(tf.tensor(pixels, [1, 320, 320, 3], 'int32'))) as tf.Tensor[];
    const byName = Object.fromEntries(plain.outputs.map((o, i) => [o.name, result[i]!.dataSync()]));
    for (const [name, t] of Object.entries(ours)) {
      const want = byName[name]!;
      expect(t.data.length).toBe(want.length);
      let maxDiff = 0;
      for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs((t.data[i] as number) - want[i]!));
      expect(maxDiff).toBeLessThan(1e-4);
    }
    // The photo has people in it: the detector's best score is well above its floor.
    const scores = Object.values(ours).find((t) => t.dims.length === 2 && t.dims[1] === 100)!;
    expect(Math.max(...(scores.data as Float32Array))).toBeGreaterThan(0.3);
    await model.dispose();
    // Two CPU-backend passes of a 320×320 detector: tens of seconds on a loaded 2-core machine.
  }, 180_000);
});
