import { tensor, type Model, type Tensor } from '@edgewise/core';

export const VAD_SAMPLE_RATE = 16_000;
/** Silero v5 takes exactly 512 samples per call at 16 kHz. */
export const VAD_FRAME = 512;

/**
 * Silero VAD over a stream of frames. The model is recurrent: each call returns `stateN`, which must
 * be fed back as `state` on the next call, or every frame is judged as if the stream had just begun.
 */
export class VoiceActivity {
  private state: Tensor = VoiceActivity.freshState();
  constructor(private readonly model: Model) {}

  private static freshState(): Tensor {
    return tensor('float32', new Float32Array(2 * 128), [2, 1, 128]);
  }

  /** The speech probability of one 512-sample frame at 16 kHz. */
  async push(frame: Float32Array): Promise<number> {
    if (frame.length !== VAD_FRAME) throw new RangeError(`VoiceActivity.push(): a frame is ${VAD_FRAME} samples at 16 kHz, got ${frame.length}.`);
    // Fresh buffers each call: a worker model's inputs are transferred (detached), not copied.
    const sr = tensor('int64', new BigInt64Array([BigInt(VAD_SAMPLE_RATE)]), []);
    const out = await this.model.run({ input: tensor('float32', frame.slice(), [1, VAD_FRAME]), state: this.state, sr });
    this.state = out.stateN!;
    return (out.output!.data as Float32Array)[0]!;
  }

  /** Forgets the stream (a new recording). */
  reset(): void {
    this.state = VoiceActivity.freshState();
  }
}
