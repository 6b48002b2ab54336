import { createNodeRuntime } from '@edgewise/node';
import { describe, expect, it } from 'vitest';
import { SpeechSegmenter, segmentOverlap } from '../../demo/vad/speech-segmenter.js';
import { VAD_FRAME, VAD_SAMPLE_RATE, VoiceActivity } from '../../demo/vad/voice-activity.js';
import { SPEECH_CLIP_SEGMENTS, synthesizeSpeechClip } from '../../models/scripts/speech-clip.js';

const FRAME_SECONDS = VAD_FRAME / VAD_SAMPLE_RATE;

describe('SpeechSegmenter', () => {
  const feed = (probabilities: number[], options = {}) => {
    const s = new SpeechSegmenter({ frameSeconds: 0.1, minSilenceSeconds: 0.3, minSpeechSeconds: 0.2, ...options });
    for (const p of probabilities) s.push(p);
    s.finish();
    return s.segments.map((x) => [Math.round(x.start * 10), Math.round(x.end * 10)]);
  };

  it('opens at the threshold and closes only after enough frames below the negative threshold', () => {
    // 0.4 is below 0.5 (no start) but above 0.35 (no end): hysteresis keeps the segment open.
    expect(feed([0, 0.6, 0.9, 0.4, 0.4, 0.8, 0.1, 0.1, 0.1, 0, 0])).toEqual([[1, 6]]);
  });
  it('keeps short pauses inside a segment and drops short blips', () => {
    expect(feed([0.9, 0.9, 0.1, 0.1, 0.9, 0.9, 0, 0, 0])).toEqual([[0, 6]]);
    expect(feed([0, 0.9, 0, 0, 0, 0])).toEqual([]);
  });
  it('closes a segment still open when the stream ends', () => {
    expect(feed([0, 0, 0.9, 0.9, 0.9])).toEqual([[2, 5]]);
  });
});

describe('silero VAD on the synthesised speech clip (Node path)', () => {
  it('finds the three phrases and nothing in the pauses; state carried across 296 calls', async () => {
    const model = await createNodeRuntime().loadModel({ source: new URL('../../models/generated/silero-vad/silero_vad_v5.onnx', import.meta.url).pathname, engine: 'onnx' });
    const clip = synthesizeSpeechClip();
    const vad = new VoiceActivity(model);
    const segmenter = new SpeechSegmenter({ frameSeconds: FRAME_SECONDS });
    const probabilities: number[] = [];
    for (let k = 0; k + VAD_FRAME <= clip.length; k += VAD_FRAME) {
      const p = await vad.push(clip.subarray(k, k + VAD_FRAME));
      probabilities.push(p);
      segmenter.push(p);
    }
    segmenter.finish();
    expect(segmenter.segments).toHaveLength(SPEECH_CLIP_SEGMENTS.length);
    expect(segmentOverlap(segmenter.segments, SPEECH_CLIP_SEGMENTS)).toBeGreaterThan(0.8);

    // Without the carried state every frame is judged alone, and silero misses much of the speech.
    vad.reset();
    const stateless: number[] = [];
    for (let k = 0; k + VAD_FRAME <= clip.length; k += VAD_FRAME) {
      stateless.push(await vad.push(clip.subarray(k, k + VAD_FRAME)));
      vad.reset();
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const speechFrames = (xs: number[]) => xs.filter((p) => p > 0.5).length;
    expect(speechFrames(stateless)).toBeLessThan(0.75 * speechFrames(probabilities)); // measured 74 vs 135
    expect(mean(stateless.map((p, i) => Math.abs(p - probabilities[i]!)))).toBeGreaterThan(0.1); // measured 0.30
    await expect(vad.push(new Float32Array(100))).rejects.toThrow(/512 samples/);
    await model.dispose();
  }, 60_000);
});
