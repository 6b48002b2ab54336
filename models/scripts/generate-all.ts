/**
 * Writes every generated model into models/generated/. Deterministic: the same bytes on every run,
 * so tests and benchmarks can rely on them without committing binaries.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { denseNetworkToOnnx, denseNetworkToTfjs } from '@edgewise/model-tools';
import { tinyMlp } from './tiny-mlp.js';
import { generateMnist } from './generate-mnist.js';
import { generateMnistCnn } from './generate-mnist-cnn.js';
import { readFile } from 'node:fs/promises';
import { copyShippedModels } from './shipped-models.js';
import { weatherBaseline, weatherModel } from './weather-mlp.js';
import { SPEECH_CLIP_SEGMENTS, encodeWav, synthesizeSpeechClip } from './speech-clip.js';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'generated');

async function writeFiles(dir: string, files: Record<string, Uint8Array>) {
  await mkdir(join(outDir, dir), { recursive: true });
  for (const [name, bytes] of Object.entries(files)) await writeFile(join(outDir, dir, name), bytes);
}

const net = tinyMlp();
await writeFiles('tiny-mlp', {
  'model.onnx': denseNetworkToOnnx(net, { batch: 1 }),
  'model-dynamic.onnx': denseNetworkToOnnx(net, { batch: 'batch' }),
  'model-argmax.onnx': denseNetworkToOnnx(net, { batch: 1, withArgMax: true }),
});
await writeFiles('tiny-mlp/tfjs', await denseNetworkToTfjs(net));
await writeFiles('weather-mlp', {
  'model.onnx': weatherModel(),
  'baseline.json': new TextEncoder().encode(JSON.stringify(weatherBaseline())),
});
await generateMnist(outDir);
await generateMnistCnn(outDir, new Uint8Array(await readFile(join(outDir, 'mnist', 'model.onnx'))));
await writeFiles('speech', {
  'clip.wav': encodeWav(synthesizeSpeechClip()),
  'segments.json': new TextEncoder().encode(JSON.stringify({ sampleRate: 16_000, segments: SPEECH_CLIP_SEGMENTS })),
});
await copyShippedModels(outDir);
console.log(`models: wrote mnist (fp32, int8 dynamic and static, int8 with scrambled weights, tfjs, baseline, manifest), mnist-cnn (fp32, static int8), silero-vad, handtrack, tiny-mlp (onnx static/dynamic/argmax, tfjs layers) weather-mlp (onnx + baseline) and a synthesised speech clip (speech/clip.wav) to ${outDir}`);
