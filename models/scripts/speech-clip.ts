/**
 * A speech-like audio clip for the VAD demo and tests, synthesised here because this project may not
 * download recordings. A Klatt-style formant synthesiser: a glottal pulse train (pitch contour,
 * jitter, shimmer) through cascaded formant resonators for vowels, band-passed noise for fricatives
 * and bursts for stops, in syllables of natural rhythm (~4 per second). Silero VAD scores it as
 * speech; the pauses between phrases (room noise only) score as silence — so the clip has a known
 * answer: `SPEECH_CLIP_SEGMENTS`.
 */
import { seededRandom } from '@edgewise/model-tools';

export const SPEECH_SAMPLE_RATE = 16_000;

/** Formants (Hz) of a few vowels, from Peterson & Barney's adult male means. */
const VOWELS: Record<string, [number, number, number]> = {
  a: [730, 1090, 2440],
  e: [530, 1840, 2480],
  i: [270, 2290, 3010],
  o: [570, 840, 2410],
  u: [300, 870, 2240],
};

/** Where the phrases are, in seconds: [start, end). Everything else is room noise. */
export const SPEECH_CLIP_SEGMENTS: ReadonlyArray<readonly [number, number]> = [
  [1.0, 2.6],
  [3.8, 5.6],
  [6.8, 8.2],
];
export const SPEECH_CLIP_SECONDS = 9.5;

/** A two-pole resonator (Klatt 1980), the building block of formant synthesis. */
function resonator(frequency: number, bandwidth: number) {
  const t = 1 / SPEECH_SAMPLE_RATE;
  const c = -Math.exp(-2 * Math.PI * bandwidth * t);
  const b = 2 * Math.exp(-Math.PI * bandwidth * t) * Math.cos(2 * Math.PI * frequency * t);
  const a = 1 - b - c;
  let y1 = 0;
  let y2 = 0;
  return {
    set(f: number) {
      const bb = 2 * Math.exp(-Math.PI * bandwidth * t) * Math.cos(2 * Math.PI * f * t);
      return { a: 1 - bb - c, b: bb };
    },
    step(x: number, coefficients = { a, b }) {
      const y = coefficients.a * x + coefficients.b * y1 + c * y2;
      y2 = y1;
      y1 = y;
      return y;
    },
  };
}

function phrase(out: Float32Array, start: number, end: number, random: () => number) {
  const syllables = ['sa', 'te', 'mo', 'ki', 'lu', 'na', 'fe', 'do', 'ri', 'pa', 'she', 'vo'];
  const f1 = resonator(500, 80);
  const f2 = resonator(1500, 100);
  const f3 = resonator(2500, 120);
  const fricative = resonator(5000, 1500);
  let t = start;
  let phase = 0;
  const total = end - start;
  while (t < end - 0.15) {
    const syllable = syllables[Math.floor(random() * syllables.length)]!;
    const [consonant, vowel] = syllable.length === 3 ? [syllable.slice(0, 2), syllable[2]!] : [syllable[0]!, syllable[1]!];
    const consonantLength = /s|f|sh|v/.test(consonant) ? 0.08 : 0.03;
    const vowelLength = 0.14 + random() * 0.1;
    const s0 = Math.floor(t * SPEECH_SAMPLE_RATE);
    const nC = Math.floor(consonantLength * SPEECH_SAMPLE_RATE);
    const nV = Math.floor(vowelLength * SPEECH_SAMPLE_RATE);
    // Consonant: noise (fricatives, longer) or a short burst (stops, nasals, liquids).
    for (let i = 0; i < nC && s0 + i < out.length; i++) {
      const envelope = Math.sin((Math.PI * i) / nC);
      out[s0 + i]! += 0.08 * envelope * fricative.step(random() * 2 - 1);
    }
    // Vowel: glottal pulses at a falling pitch (declination) with vibrato and jitter.
    const [F1, F2, F3] = VOWELS[vowel]!;
    for (let i = 0; i < nV && s0 + nC + i < out.length; i++) {
      const progress = (t + (nC + i) / SPEECH_SAMPLE_RATE - start) / total;
      const f0 = (135 - 30 * progress) * (1 + 0.01 * Math.sin(2 * Math.PI * 5 * i / SPEECH_SAMPLE_RATE)) * (1 + 0.005 * (random() - 0.5));
      phase += f0 / SPEECH_SAMPLE_RATE;
      if (phase >= 1) phase -= 1;
      // Rosenberg glottal pulse: opening 40% of the period, closing 16%, closed the rest.
      const source = phase < 0.4 ? 0.5 * (1 - Math.cos((Math.PI * phase) / 0.4)) : phase < 0.56 ? Math.cos((Math.PI * (phase - 0.4)) / 0.32) : 0;
      const glide = Math.min(1, i / (0.04 * SPEECH_SAMPLE_RATE)); // formant transition out of the consonant
      const envelope = Math.min(1, i / 160) * Math.min(1, (nV - i) / 400);
      const y = f3.step(f2.step(f1.step(source - 0.3, f1.set(F1 * (0.8 + 0.2 * glide))), f2.set(F2 * (0.9 + 0.1 * glide))), f3.set(F3));
      out[s0 + nC + i]! += 0.9 * envelope * y;
    }
    t += consonantLength + vowelLength + 0.02 + random() * 0.04;
  }
}

/** The clip as 16 kHz mono float samples in [-1, 1]: phrases at SPEECH_CLIP_SEGMENTS over quiet room noise. */
export function synthesizeSpeechClip(seed = 7): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(Math.round(SPEECH_CLIP_SECONDS * SPEECH_SAMPLE_RATE));
  for (let i = 0; i < out.length; i++) out[i] = 0.004 * (random() * 2 - 1);
  for (const [start, end] of SPEECH_CLIP_SEGMENTS) phrase(out, start, end, random);
  let peak = 0;
  for (const v of out) peak = Math.max(peak, Math.abs(v));
  for (let i = 0; i < out.length; i++) out[i] = (out[i]! / peak) * 0.7;
  return out;
}

/** 16-bit PCM WAV, what <audio> and Chromium's fake microphone (--use-file-for-fake-audio-capture) read. */
export function encodeWav(samples: Float32Array, sampleRate = SPEECH_SAMPLE_RATE): Uint8Array {
  const bytes = new Uint8Array(44 + samples.length * 2);
  const view = new DataView(bytes.buffer);
  const text = (offset: number, s: string) => [...s].forEach((ch, i) => view.setUint8(offset + i, ch.charCodeAt(0)));
  text(0, 'RIFF');
  view.setUint32(4, 36 + samples.length * 2, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, 'data');
  view.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) view.setInt16(44 + i * 2, Math.max(-1, Math.min(1, samples[i]!)) * 0x7fff, true);
  return bytes;
}
