import type { SpeechSegment } from './speech-segmenter.js';

export interface TimelineData {
  /** Speech probability per frame. */
  probabilities: number[];
  frameSeconds: number;
  detected: readonly SpeechSegment[];
  /** Known speech (the bundled clip's answer), drawn as a grey band under the plot. */
  truth?: ReadonlyArray<readonly [number, number]>;
  /** Seconds shown; the newest are kept when the stream is longer (live microphone). */
  windowSeconds: number;
}

/** Draws speech probability over time, detected speech in green, known speech as a grey band. */
export function drawTimeline(canvas: HTMLCanvasElement, data: TimelineData): void {
  const g = canvas.getContext('2d')!;
  const { width, height } = canvas;
  const plot = height - 14;
  const frames = data.probabilities.length;
  const end = Math.max(data.windowSeconds, frames * data.frameSeconds);
  const start = end - data.windowSeconds;
  const x = (seconds: number) => ((seconds - start) / data.windowSeconds) * width;
  g.clearRect(0, 0, width, height);
  g.fillStyle = '#f4f6f8';
  g.fillRect(0, 0, width, plot);
  g.fillStyle = 'rgba(40, 160, 80, 0.25)';
  for (const s of data.detected) g.fillRect(x(s.start), 0, x(s.end) - x(s.start), plot);
  g.fillStyle = '#bbb';
  for (const [a, b] of data.truth ?? []) g.fillRect(x(a), plot + 4, x(b) - x(a), 6);
  g.strokeStyle = '#c33';
  g.setLineDash([4, 4]);
  g.beginPath();
  g.moveTo(0, plot * 0.5);
  g.lineTo(width, plot * 0.5);
  g.stroke();
  g.setLineDash([]);
  g.strokeStyle = '#36c';
  g.lineWidth = 1.5;
  g.beginPath();
  data.probabilities.forEach((p, i) => {
    const px = x((i + 0.5) * data.frameSeconds);
    if (px < 0) return;
    const py = plot - p * plot;
    i === 0 || x((i - 0.5) * data.frameSeconds) < 0 ? g.moveTo(px, py) : g.lineTo(px, py);
  });
  g.stroke();
}
