import type { BackendFailure } from '@edgewise/core';

/** What an onnxruntime-web error means for the model: the caller's input, the model, or the backend. */
export type OrtFailure = 'input' | 'model-format' | 'engine-busy' | BackendFailure;

/**
 * onnxruntime's C API status codes (onnxruntime/core/common/status.h) appear in its JS errors as
 * "ERROR_CODE: n": the most reliable signal ORT gives, so it is read before any message text.
 */
const ORT_STATUS = { FAIL: 1, INVALID_ARGUMENT: 2, INVALID_PROTOBUF: 7, NOT_IMPLEMENTED: 9, INVALID_GRAPH: 10, EP_FAIL: 11 } as const;

const RULES: ReadonlyArray<[RegExp, OrtFailure]> = [
  // Thrown by ORT's JS layer before the WASM call: feeds that do not match the session.
  [/is missing in 'feeds'|invalid input '|Tensor's size\(|does not match data length|Unsupported (data )?type for tensor/i, 'input'],
  // A second run started while one is still pending in this thread (a hung run holds the module).
  [/Session already started|Session mismatch/i, 'engine-busy'],
  [/out of memory|\bOOM\b|bad_alloc|failed to allocate|Maximum memory size exceeded|Array buffer allocation failed|Invalid typed array length|Cannot allocate Wasm memory|could not allocate|memory limit/i, 'out-of-memory'],
  [/device (is |was )?lost|context (is |was )?lost|CONTEXT_LOST/i, 'device-lost'],
  // WebGL's legacy backend and WebGPU's JSEP name missing kernels in text.
  [/unrecognized operator|cannot resolve operator|no (kernel|implementation) (is )?(registered|found)|not (yet )?(supported|implemented)/i, 'kernel-unsupported'],
];

function statusCode(message: string): number | undefined {
  const match = /ERROR_CODE: (\d+)/.exec(message);
  return match ? Number(match[1]) : undefined;
}

/**
 * Classifies an error onnxruntime-web threw while creating a session (`phase: 'create'`) or running
 * one. Tested against the messages ORT really throws (test/node/ort-failures.test.ts and the browser
 * fault matrix). What it cannot place is 'unknown', never assumed to be the backend's fault.
 */
export function classifyOrtError(error: unknown, phase: 'create' | 'run', backend: string): OrtFailure {
  const message = error instanceof Error ? error.message : String(error);
  const code = statusCode(message);
  if (code === ORT_STATUS.INVALID_ARGUMENT && phase === 'run') return 'input';
  if (code === ORT_STATUS.INVALID_PROTOBUF) return 'model-format';
  if (code === ORT_STATUS.NOT_IMPLEMENTED) return 'kernel-unsupported';
  if (code === ORT_STATUS.EP_FAIL) return 'backend-unavailable';
  for (const [pattern, failure] of RULES) if (pattern.test(message)) return failure;
  // Only the WASM core's parser is authoritative: WebGL's legacy parser rejects valid models it cannot map.
  if (phase === 'create' && backend === 'wasm' && /protobuf|failed to load model|invalid model/i.test(message)) return 'model-format';
  // A session that will not open here, for a reason ORT does not name, is this backend being unavailable.
  return phase === 'create' ? 'backend-unavailable' : 'unknown';
}

/** The input an ORT input error names ("for input: x", "input 'x' is missing", "invalid input 'x'"), or ''. */
export function ortInputName(message: string): string {
  return /(?:for input: |input: |input ')([^'\s]+)/.exec(message)?.[1] ?? '';
}

/**
 * onnxruntime-web fetches its .wasm and .mjs files at the first session. Served from the wrong
 * place, the server usually answers with an HTML page, and ORT says "expected magic word 00 61 73 6d"
 * or fails a module import: true for those, so the error can say what to configure.
 */
export function isRuntimeFilesProblem(message: string): boolean {
  return /expected magic word|magic number|Failed to fetch dynamically imported module|error loading dynamically imported module|Importing a module script failed|MIME type|Failed to fetch|no available backend found/i.test(message) && /wasm|mjs|module|fetch/i.test(message);
}

export function explainRuntimeFiles(message: string, wasmPaths: unknown): string {
  const where = wasmPaths ? `from ortWasmPaths ${JSON.stringify(wasmPaths)}` : 'from beside its own module (no ortWasmPaths given)';
  return (
    `onnxruntime-web could not load its WebAssembly runtime files ${where}: the server answered something that is not ` +
    `WebAssembly or JavaScript (often an HTML page for a missing file). Serve ort-wasm-simd-threaded.jsep.wasm and .mjs ` +
    `from onnxruntime-web/dist and point ortWasmPaths at them (a URL prefix ending in "/", or { wasm, mjs } URLs; in Vite: ` +
    `"?url" imports, see the README). ORT said: ${message}`
  );
}
