import type { Model, Runtime } from '@edgewise/core';
import { decodeClip, startMicrophone, type Microphone } from './microphone.js';
import { SpeechSegmenter, segmentOverlap, type SpeechSegment } from './speech-segmenter.js';
import { drawTimeline } from './vad-timeline.js';
import { VAD_FRAME, VAD_SAMPLE_RATE, VoiceActivity } from './voice-activity.js';

const FRAME_SECONDS = VAD_FRAME / VAD_SAMPLE_RATE;
const MANIFEST = '/generated/silero-vad/manifest.json';
const CLIP = '/generated/speech/clip.wav';
const CLIP_ANSWER = '/generated/speech/segments.json';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const fmtSegments = (segments: readonly SpeechSegment[]) => segments.map((s) => `${s.start.toFixed(2)}–${s.end.toFixed(2)} s`).join(', ') || 'none';

/**
 * The "Voice activity" tab: silero VAD (ONNX, from the verified cache, in the worker) on the bundled
 * clip or the live microphone, with its recurrent state carried from frame to frame.
 */
export function voiceTab(runtime: Runtime, onModel: (model: Model, version: string) => void): { open(): Promise<void> } {
  let loading: Promise<Model> | undefined;
  let mic: Microphone | undefined;
  const canvas = $<HTMLCanvasElement>('vad-timeline');
  const status = $('vad-status');

  const load = () =>
    (loading ??= (async () => {
      status.textContent = 'Loading silero VAD…';
      const started = performance.now();
      const manifest = await (await fetch(MANIFEST)).json();
      // WASM: a 512-sample recurrent step is too small to pay a GPU round trip for.
      const model = await runtime.loadModel({ manifest: MANIFEST, worker: true, backends: ['wasm'], monitor: { features: [{ name: 'level', input: 'input', reduce: 'std' }, { name: 'peak', input: 'input', reduce: 'max' }] } });
      status.textContent = `silero VAD ${manifest.latest} ready on ${model.backend} in ${(performance.now() - started).toFixed(0)} ms.`;
      onModel(model, manifest.latest);
      return model;
    })().catch((error: Error) => {
      loading = undefined; // let the next click try again (offline now, online later)
      throw error;
    }));

  /** Button handlers: a failure (no network, no model, mic refused) is said in the status line. */
  const reporting = (handler: () => Promise<void>) => () =>
    handler().catch((error: Error) => {
      status.textContent = `Failed: ${error.message}`;
    });

  /** Runs frames through the VAD one at a time (state order matters) and redraws as it goes. */
  function session(model: Model, windowSeconds: number, truth?: ReadonlyArray<readonly [number, number]>) {
    const vad = new VoiceActivity(model);
    const segmenter = new SpeechSegmenter({ frameSeconds: FRAME_SECONDS });
    const probabilities: number[] = [];
    let latency = 0;
    let chain = Promise.resolve();
    const redraw = () => {
      drawTimeline(canvas, { probabilities, frameSeconds: FRAME_SECONDS, detected: segmenter.open ? [...segmenter.segments, segmenter.open] : segmenter.segments, truth, windowSeconds });
      $('vad-speaking').textContent = segmenter.speaking ? 'speech' : 'silence';
      $('vad-speaking').className = segmenter.speaking ? 'speaking' : '';
      $('vad-latency').textContent = `${latency.toFixed(2)} ms / frame`;
      $('vad-segments').textContent = fmtSegments(segmenter.segments);
    };
    return {
      segmenter,
      push(frame: Float32Array) {
        chain = chain.then(async () => {
          const t = performance.now();
          const p = await vad.push(frame);
          const took = performance.now() - t;
          latency = latency === 0 ? took : 0.9 * latency + 0.1 * took; // smoothed for display
          probabilities.push(p);
          segmenter.push(p);
          if (probabilities.length % 4 === 0) redraw();
        });
        return chain;
      },
      async finish() {
        await chain;
        segmenter.finish();
        redraw();
      },
    };
  }

  $('vad-clip').addEventListener('click', reporting(async () => {
    const model = await load();
    const [samples, answer] = await Promise.all([decodeClip(CLIP), fetch(CLIP_ANSWER).then((r) => r.json())]);
    const run = session(model, samples.length / VAD_SAMPLE_RATE, answer.segments);
    for (let k = 0; k + VAD_FRAME <= samples.length; k += VAD_FRAME) void run.push(samples.slice(k, k + VAD_FRAME));
    await run.finish();
    const agreement = segmentOverlap(run.segmenter.segments, answer.segments);
    $('vad-agreement').textContent = `${Math.round(agreement * 100)}% overlap with the clip's known speech`;
    document.body.dataset.vadClip = JSON.stringify({ segments: run.segmenter.segments, agreement });
  }));

  $('vad-mic').addEventListener('click', reporting(async () => {
    const button = $<HTMLButtonElement>('vad-mic');
    if (mic) {
      await mic.stop();
      mic = undefined;
      button.textContent = 'Use microphone';
      return;
    }
    const model = await load();
    const run = session(model, 10);
    let frames = 0;
    try {
      mic = await startMicrophone((frame) => {
        frames++;
        void run.push(frame).then(() => (document.body.dataset.vadMic = JSON.stringify({ frames, segments: run.segmenter.segments, speaking: run.segmenter.speaking })));
      });
    } catch (error) {
      status.textContent = `Microphone unavailable: ${(error as Error).message}`;
      return;
    }
    status.textContent = `Listening to ${mic.label}. Audio stays in this tab; only aggregates are reported.`;
    button.textContent = 'Stop microphone';
  }));

  return {
    open: reporting(async () => {
      await load();
      document.body.dataset.vadReady = 'true';
    }),
  };
}
