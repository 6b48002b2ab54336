import type { BackendName, Engine } from '@edgewise/core';
import { createOnnxEngine, type Ort } from '@edgewise/engine-onnx';

/**
 * What Edgewise uses of `onnxruntime-react-native`: its onnxruntime-common API (InferenceSession,
 * Tensor, env). Typed against onnxruntime-common so this package builds without React Native.
 */
export type OrtReactNative = Pick<typeof import('onnxruntime-common'), 'InferenceSession' | 'Tensor' | 'env'>;

/** onnxruntime-react-native's execution providers. */
export type ReactNativeBackend = Extract<BackendName, 'coreml' | 'nnapi' | 'xnnpack' | 'cpu'>;

export interface ReactNativeOnnxEngineOptions {
  /** `import * as ort from 'onnxruntime-react-native'`: passed in, so this package never imports native code. */
  ort: OrtReactNative;
  /**
   * Execution providers, best first. Default ['cpu']. Typical: iOS ['coreml', 'cpu'];
   * Android ['nnapi', 'xnnpack', 'cpu']. A provider this build lacks fails at load and is recorded
   * in model.attempts; Edgewise moves to the next.
   */
  backends?: ReactNativeBackend[];
}

/**
 * The ONNX engine on onnxruntime-react-native. Same session code as the web engine (both speak
 * onnxruntime-common); what differs is the providers and that threads are a session option
 * (intraOpNumThreads), not `env.wasm.numThreads`.
 *
 * @example
 * import * as ort from 'onnxruntime-react-native';
 * const engine = createReactNativeOnnxEngine({ ort, backends: ['coreml', 'cpu'] });
 */
export function createReactNativeOnnxEngine(options: ReactNativeOnnxEngineOptions): Engine {
  if (!options?.ort?.InferenceSession || !options.ort.Tensor) {
    throw new TypeError("createReactNativeOnnxEngine(): pass the onnxruntime-react-native module as `ort` (import * as ort from 'onnxruntime-react-native').");
  }
  const ort = options.ort as unknown as Ort;
  return createOnnxEngine({
    loadOrt: async () => ort,
    backends: options.backends ?? ['cpu'],
    sessionOptions: (_backend, { numThreads }) => (numThreads ? { intraOpNumThreads: numThreads } : {}),
  });
}
