/** A canvas to draw on with mouse, pen or finger: thick white strokes on black, as MNIST digits are. */
export function drawingPad(canvas: HTMLCanvasElement, onStroke: () => void): { clear(): void } {
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const clear = () => {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
  };
  clear();
  ctx.strokeStyle = '#fff';
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.lineWidth = 20;
  let drawing = false;
  const at = (e: PointerEvent) => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) * canvas.width) / r.width, ((e.clientY - r.top) * canvas.height) / r.height] as const;
  };
  canvas.addEventListener('pointerdown', (e) => {
    drawing = true;
    canvas.setPointerCapture(e.pointerId);
    ctx.beginPath();
    ctx.moveTo(...at(e));
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    ctx.lineTo(...at(e));
    ctx.stroke();
  });
  const end = () => {
    if (!drawing) return;
    drawing = false;
    onStroke();
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  return { clear };
}

/** The 280×280 canvas as a 28×28 MNIST image: mean brightness of each 10×10 block, in [0, 1]. */
export function toMnistPixels(canvas: HTMLCanvasElement): Float32Array {
  const { data, width } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
  const block = width / 28;
  const out = new Float32Array(784);
  for (let y = 0; y < 28; y++)
    for (let x = 0; x < 28; x++) {
      let sum = 0;
      for (let dy = 0; dy < block; dy++) for (let dx = 0; dx < block; dx++) sum += data[((y * block + dy) * width + x * block + dx) * 4]!;
      out[y * 28 + x] = sum / (block * block * 255);
    }
  return out;
}
