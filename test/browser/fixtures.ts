import { createWebRuntime } from '@edgewise/web';
import { denseNetworkForward } from '@edgewise/model-tools/dense-network';
import { tinyMlp } from '../../models/scripts/tiny-mlp.js';
import { ORT_WASM_PATHS, TFJS_WASM_PATHS } from '../../bench/matrix/wasm-paths.js';


export const MODELS = '/models/generated/tiny-mlp';

/** A web runtime wired the way a Vite app should wire it: ORT's files from `?url` imports. */
export const makeRuntime = () => createWebRuntime({ ortWasmPaths: ORT_WASM_PATHS, tfjsWasmPaths: TFJS_WASM_PATHS });

export const net = tinyMlp();
export const sample = (k = 0) => Float32Array.from({ length: 16 }, (_, i) => Math.sin(i * 0.7 + k) * 0.9);
export const reference = (x: Float32Array) => denseNetworkForward(net, x);
