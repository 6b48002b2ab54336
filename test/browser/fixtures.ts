import { createWebRuntime } from '@edgewise/web';
import { denseNetworkForward } from '@edgewise/model-tools/dense-network';
import { tinyMlp } from '../../models/scripts/tiny-mlp.js';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';
import ortMjs from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.mjs?url';

import tfjsWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import tfjsWasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import tfjsWasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

export const MODELS = '/models/generated/tiny-mlp';

/** A web runtime wired the way a Vite app should wire it: ORT's files from `?url` imports. */
export const makeRuntime = () => createWebRuntime({
    ortWasmPaths: { wasm: ortWasm, mjs: ortMjs },
    tfjsWasmPaths: {
      'tfjs-backend-wasm.wasm': tfjsWasm,
      'tfjs-backend-wasm-simd.wasm': tfjsWasmSimd,
      'tfjs-backend-wasm-threaded-simd.wasm': tfjsWasmThreadedSimd,
    },
  });

export const net = tinyMlp();
export const sample = (k = 0) => Float32Array.from({ length: 16 }, (_, i) => Math.sin(i * 0.7 + k) * 0.9);
export const reference = (x: Float32Array) => denseNetworkForward(net, x);
