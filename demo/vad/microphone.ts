import { VAD_FRAME, VAD_SAMPLE_RATE } from './voice-activity.js';

/**
 * An AudioWorklet that cuts the audio into 512-sample frames and posts each one (transferred).
 * Inlined as a Blob so the demo needs no extra build entry; blob: URLs are same-origin, so this
 * works under the page's COEP header too.
 */
const FRAME_TAP = `
class FrameTap extends AudioWorkletProcessor {
  constructor() { super(); this.frame = new Float32Array(${VAD_FRAME}); this.filled = 0; }
  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (channel) for (let i = 0; i < channel.length; i++) {
      this.frame[this.filled++] = channel[i];
      if (this.filled === ${VAD_FRAME}) {
        this.port.postMessage(this.frame, [this.frame.buffer]);
        this.frame = new Float32Array(${VAD_FRAME});
        this.filled = 0;
      }
    }
    return true;
  }
}
registerProcessor('frame-tap', FrameTap);`;

export interface Microphone {
  readonly label: string;
  stop(): Promise<void>;
}

/**
 * Streams the microphone as 16 kHz frames of 512 samples. The AudioContext runs at 16 kHz, so the
 * browser resamples the device's 44.1/48 kHz for us. Nothing is recorded or kept: frames go to the
 * VAD and are dropped.
 */
export async function startMicrophone(onFrame: (frame: Float32Array) => void): Promise<Microphone> {
  if (!navigator.mediaDevices?.getUserMedia) throw new Error('This browser offers no microphone API (getUserMedia); the page must be served over https or localhost.');
  const stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: false } });
  const context = new AudioContext({ sampleRate: VAD_SAMPLE_RATE });
  const moduleUrl = URL.createObjectURL(new Blob([FRAME_TAP], { type: 'text/javascript' }));
  try {
    await context.audioWorklet.addModule(moduleUrl);
  } finally {
    URL.revokeObjectURL(moduleUrl);
  }
  const source = context.createMediaStreamSource(stream);
  const tap = new AudioWorkletNode(context, 'frame-tap');
  tap.port.onmessage = (e: MessageEvent<Float32Array>) => onFrame(e.data);
  // A silent path to the destination keeps the graph pulled without playing the mic back.
  const mute = context.createGain();
  mute.gain.value = 0;
  source.connect(tap).connect(mute).connect(context.destination);
  await context.resume();
  return {
    label: stream.getAudioTracks()[0]?.label ?? 'microphone',
    async stop() {
      stream.getTracks().forEach((t) => t.stop());
      await context.close();
    },
  };
}

/** Fetches and decodes an audio file to 16 kHz mono samples (the browser resamples). */
export async function decodeClip(url: string): Promise<Float32Array> {
  const bytes = await (await fetch(url)).arrayBuffer();
  const context = new OfflineAudioContext(1, VAD_SAMPLE_RATE, VAD_SAMPLE_RATE);
  const buffer = await context.decodeAudioData(bytes);
  return buffer.getChannelData(0);
}
