export { createReactNativeOnnxEngine, type OrtReactNative, type ReactNativeBackend, type ReactNativeOnnxEngineOptions } from './onnx-react-native-engine.js';
export { reactNativeFileSystem, type ReactNativeFs } from './react-native-file-system.js';
export { createReactNativeRuntime, type ReactNativeRuntimeOptions } from './react-native-runtime.js';
export { base64ToBytes, bytesToBase64 } from '@edgewise/store';
export { KeyValueOutbox, type KeyValueStorage } from '@edgewise/uplink';
