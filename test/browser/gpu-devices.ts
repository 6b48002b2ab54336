/**
 * Destroys the WebGPU devices onnxruntime-web and TF.js hold in this thread, for real, as a driver
 * reset or a GPU process crash would. Test code only: production interfaces carry no such hook.
 */
export async function destroyGpuDevices(): Promise<void> {
  const ort = await import('onnxruntime-web/all');
  try {
    // Only after ORT's WebGPU backend initialised; before that the getter has nothing to give.
    ((await (ort.env.webgpu as { device?: unknown }).device) as GPUDevice | undefined)?.destroy();
  } catch {
    // ORT's WebGPU backend never started in this thread.
  }
  const tf = await import('@tensorflow/tfjs-core');
  (tf.findBackend('webgpu') as unknown as { device?: GPUDevice } | undefined)?.device?.destroy();
}
