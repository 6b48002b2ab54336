import { tensor } from '@edgewise/core';
import { createUplink, IndexedDBOutbox } from '@edgewise/uplink';
import { createWebRuntime } from '@edgewise/web';
import ortMjs from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.mjs?url';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';
import { MNIST_FEATURES } from '../models/scripts/mnist-features.js';
import { describeBackends } from './backend-note.js';
import { drawingPad, toMnistPixels } from './drawing-pad.js';
import { renderDrift } from './drift-panel.js';
import { voiceTab } from './vad/voice-tab.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const MANIFEST = '/generated/mnist/manifest.json';
// The collector's port is defined by demo/servers.ts (COLLECTOR_PORT); 8787 when served otherwise.
declare const __COLLECTOR_PORT__: string | undefined;
const COLLECTOR = `${location.protocol}//${location.hostname}:${typeof __COLLECTOR_PORT__ === 'string' ? __COLLECTOR_PORT__ : 8787}`;
// The dashboard asks for the read key ("demo-read-key"): keys never travel in URLs.
$<HTMLAnchorElement>('dashboard').href = `${COLLECTOR}/`;

const runtime = createWebRuntime({ ortWasmPaths: { wasm: ortWasm, mjs: ortMjs } });
const progress = $<HTMLProgressElement>('progress');
const started = performance.now();
let downloaded = false;
const manifest = await (await fetch(MANIFEST)).json();
const model = await runtime.loadModel({
  manifest: MANIFEST,
  worker: true,
  backends: ['webgpu', 'wasm'],
  // Measured, not assumed: a software GPU (or a tiny model) can make WASM the faster choice.
  select: 'fastest',
  monitor: { features: MNIST_FEATURES, drift: { minCount: 5 } }, // baseline: the manifest's
  onProgress: ({ loaded, total }) => {
    downloaded = true;
    progress.value = loaded / total;
  },
});
progress.value = 1;
$('load').textContent = `${downloaded ? 'Downloaded, verified and cached' : 'Loaded from the on-device cache (OPFS or IndexedDB)'} in ${(performance.now() - started).toFixed(0)} ms.`;
$('backend').textContent = describeBackends(model.attempts);
$('version').textContent = `mnist ${manifest.latest} (int8)`;
model.on('fallback', (e) => ($('backend').textContent = `${e.to} (fell back from ${e.from})`));

const uplink = createUplink({
  endpoint: `${COLLECTOR}/v1/reports`,
  ingestKey: 'demo-ingest-key',
  source: model,
  model: 'mnist',
  modelVersion: manifest.latest,
  outbox: new IndexedDBOutbox(),
  intervalMs: 30_000,
  privacy: false, // development mode, as the demo's collector (demo/servers.ts)
  onEvent: (e) => ($('reports').textContent = e.type === 'sent' ? `sent ${e.id.slice(0, 8)}…` : `${e.type}: ${'reason' in e ? e.reason : ''}`),
});
uplink.start();

const canvas = $<HTMLCanvasElement>('pad');
async function predict() {
  const t = performance.now();
  const out = await model.run({ input: tensor('float32', toMnistPixels(canvas), [1, 784]) });
  $('latency').textContent = `${(performance.now() - t).toFixed(1)} ms`;
  const probs = Array.from(out.probabilities!.data as Float32Array);
  const ranked = probs.map((p, d) => [d, p] as const).sort((a, b) => b[1] - a[1]);
  $('digit').textContent = String(ranked[0]![0]);
  $('bars').innerHTML = ranked
    .slice(0, 3)
    .map(([d, p]) => `<div class="bar">${d} <span class="fill" style="width:${(p * 120).toFixed(0)}px"></span> ${(p * 100).toFixed(1)}%</div>`)
    .join('');
  renderDrift($<HTMLTableElement>('drift'), $('drift-note'), await model.drift());
  document.body.dataset.predictions = String(Number(document.body.dataset.predictions ?? 0) + 1);
}
const pad = drawingPad(canvas, () => void predict());
$('clear').addEventListener('click', () => pad.clear());
$('send').addEventListener('click', async () => {
  await uplink.collect();
  const r = await uplink.flush();
  $('reports').textContent = `sent ${r.sent}, pending ${r.pending}`;
});

// The voice tab loads silero VAD on first open and reports its aggregates like the digits tab.
const voice = voiceTab(runtime, (vad, version) => {
  const vadUplink = createUplink({
    endpoint: `${COLLECTOR}/v1/reports`,
    ingestKey: 'demo-ingest-key',
    source: vad,
    model: 'silero-vad',
    modelVersion: version,
    outbox: new IndexedDBOutbox('edgewise-outbox-vad'),
    intervalMs: 30_000,
    privacy: false,
  });
  vadUplink.start();
  $('vad-send').addEventListener('click', async () => {
    await vadUplink.collect();
    const r = await vadUplink.flush();
    $('vad-reports').textContent = `sent ${r.sent}, pending ${r.pending}`;
  });
});
const TABS = [['tab-digits', 'panel-digits'], ['tab-voice', 'panel-voice']] as const;
for (const [tab, panel] of TABS) {
  $(tab).addEventListener('click', () => {
    for (const [t, p] of TABS) {
      $(t).setAttribute('aria-selected', String(t === tab));
      $(p).hidden = p !== panel;
    }
    if (tab === 'tab-voice') void voice.open();
  });
}
document.body.dataset.ready = 'true';
