/** What the numbers were measured on: browser, cores, and which GPU (or emulator) backs WebGPU/WebGL. */
export interface BenchEnvironment {
  userAgent: string;
  cores: number;
  crossOriginIsolated: boolean;
  webgpu?: string;
  webgl?: string;
}

export async function describeEnvironment(): Promise<BenchEnvironment> {
  const env: BenchEnvironment = { userAgent: navigator.userAgent, cores: navigator.hardwareConcurrency, crossOriginIsolated };
  try {
    const adapter = await (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info?: Record<string, string> } | null> } }).gpu?.requestAdapter();
    if (adapter) env.webgpu = [adapter.info?.vendor, adapter.info?.architecture, adapter.info?.description].filter(Boolean).join(' ') || 'available';
  } catch {
    // No WebGPU: leave it out.
  }
  const gl = document.createElement('canvas').getContext('webgl2');
  if (gl) {
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    env.webgl = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  }
  return env;
}
