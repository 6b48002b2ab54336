import { lazyModelMonitor } from '@edgewise/drift/lazy';
import { createRuntime, type Runtime, type RuntimeOptions } from '@edgewise/core';
import { FileSystemStore, ModelCache, type FileSystem } from '@edgewise/store';
import { createReactNativeOnnxEngine, type ReactNativeOnnxEngineOptions } from './onnx-react-native-engine.js';

export interface ReactNativeRuntimeOptions extends RuntimeOptions, ReactNativeOnnxEngineOptions {
  /** Files for the model cache behind `loadModel({ manifest })`: reactNativeFileSystem(RNFS), say. */
  fileSystem?: FileSystem;
  /** Directory of the cache on that file system, e.g. `${RNFS.DocumentDirectoryPath}/edgewise-models`. */
  cacheDir?: string;
}

/**
 * A runtime for React Native: ONNX on onnxruntime-react-native, models from URLs (fetch) or, with a
 * file system and cache directory, from manifests (verified, cached, offline, rollback).
 * Models run on the JS thread's native session (onnxruntime-react-native runs inference off the JS
 * thread itself), so there is no `worker: true` here.
 *
 * @example
 * import * as ort from 'onnxruntime-react-native';
 * import RNFS from 'react-native-fs';
 * const runtime = createReactNativeRuntime({
 *   ort, backends: Platform.OS === 'ios' ? ['coreml', 'cpu'] : ['nnapi', 'xnnpack', 'cpu'],
 *   fileSystem: reactNativeFileSystem(RNFS), cacheDir: `${RNFS.DocumentDirectoryPath}/edgewise-models`,
 * });
 * const model = await runtime.loadModel({ manifest: 'https://example.com/models/mnist/manifest.json' });
 */
export function createReactNativeRuntime(options: ReactNativeRuntimeOptions): Runtime {
  const { ort, backends, fileSystem, cacheDir, engines = [], ...rest } = options;
  if ((fileSystem === undefined) !== (cacheDir === undefined)) {
    throw new TypeError('createReactNativeRuntime(): "fileSystem" and "cacheDir" go together (the model cache needs both).');
  }
  return createRuntime({
    monitoring: lazyModelMonitor,
    ...(fileSystem && cacheDir ? { models: new ModelCache(new FileSystemStore(fileSystem, cacheDir)) } : {}),
    engines: [createReactNativeOnnxEngine({ ort, backends }), ...engines],
    ...rest,
  });
}
