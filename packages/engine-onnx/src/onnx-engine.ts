import {
  BackendError,
  EngineWedgedError,
  InputError,
  ModelFormatError,
  describeError,
  type BackendName,
  type DType,
  type Engine,
  type EngineSession,
  type ModelArtifact,
  type NamedTensors,
  type SessionOptions,
  type TensorSpec,
} from '@edgewise/core';
import type { Ort } from './ort-types.js';
import { classifyOrtError, explainRuntimeFiles, isRuntimeFilesProblem, ortInputName } from './ort-failures.js';
import { fromOrtResults, toOrtFeeds } from './tensor-conversion.js';
import { ortWebGpuDevice, watchDevice, type DeviceWatch } from './webgpu-device-watch.js';

export interface OnnxEngineOptions {
  /**
   * Loads the onnxruntime module for a backend. Browsers: () => import('onnxruntime-web/all') (the
   * default). Node passes onnxruntime-node for 'cpu' and onnxruntime-web for 'wasm'.
   */
  loadOrt?: (backend: BackendName) => Promise<Ort>;
  /** Backends this platform offers, best first. Default: webgpu, webgl, wasm. */
  backends?: BackendName[];
  /** Where ORT finds its .wasm/.mjs files; bundlers must set this (see README). */
  wasmPaths?: string | Record<string, string>;
  /**
   * Extra InferenceSession options per backend, for runtimes that take them per session (e.g.
   * onnxruntime-react-native's intraOpNumThreads) rather than in `env`.
   */
  sessionOptions?: (backend: BackendName, options: SessionOptions) => Record<string, unknown>;
  /** Registry name; default 'onnx'. */
  name?: string;
}

/**
 * ORT's JSEP build runs one session.run at a time per thread; a run hung on a lost WebGPU device
 * never finishes, so every later run in this thread would fail with "Session already started".
 */
class Wedge {
  private reason: string | undefined;
  set(reason: string) {
    this.reason ??= reason;
  }
  error(backend: string): EngineWedgedError | undefined {
    if (!this.reason) return undefined;
    return new EngineWedgedError(
      backend,
      `onnxruntime-web can no longer run in this thread: ${this.reason}. Its hung run holds the WASM module; load the model with worker: true so Edgewise can restart the worker on the next backend.`,
    );
  }
  check(backend: string) {
    const error = this.error(backend);
    if (error) throw error;
  }
}

/** One per onnxruntime module: the wedge is the module's (every engine and session in the thread shares it). */
const wedges = new WeakMap<object, Wedge>();
const wedgeOf = (ort: Ort): Wedge => {
  let wedge = wedges.get(ort);
  if (!wedge) wedges.set(ort, (wedge = new Wedge()));
  return wedge;
};

type OrtSession = Awaited<ReturnType<Ort['InferenceSession']['create']>>;
type OrtTensor = InstanceType<Ort['Tensor']>;

/** ONNX's magic: a ModelProto starts with field 1 (ir_version, varint) = byte 0x08. */
function looksLikeOnnx(bytes: Uint8Array): boolean {
  return bytes.length > 16 && bytes[0] === 0x08;
}

type Metadata = ReadonlyArray<{ name: string; isTensor: boolean; type?: string; shape?: ReadonlyArray<number | string> }>;

function readMetadata(session: OrtSession, which: 'inputMetadata' | 'outputMetadata'): Metadata | undefined {
  try {
    return (session as unknown as Record<string, Metadata>)[which];
  } catch {
    // ORT's WebGL backend throws "Getting model metadata is not supported"; validation then checks
    // names, dtype (float32, all WebGL takes) and element counts, but not declared shapes.
    return undefined;
  }
}

function specsOf(session: OrtSession, which: 'inputMetadata' | 'outputMetadata', names: readonly string[]): TensorSpec[] {
  const metadata = readMetadata(session, which);
  return names.map((name) => {
    const m = metadata?.find((x) => x.name === name);
    // ORT reports a dynamic dim as its symbol, or as -1 read back as uint32 (4294967295).
    const fixed = (d: number | string) => typeof d === 'number' && d >= 0 && d < 2 ** 31;
    const dims = m?.isTensor && m.shape && m.shape.length > 0 ? m.shape.map((d) => (fixed(d) ? d : typeof d === 'string' ? d : null)) : null;
    return { name, type: (m?.type ?? 'float32') as DType, dims };
  });
}

class OnnxSession implements EngineSession {
  readonly inputs: TensorSpec[];
  readonly outputs: TensorSpec[];
  constructor(
    private readonly ort: Ort,
    private readonly session: OrtSession,
    readonly backend: BackendName,
    private readonly device: DeviceWatch,
    private readonly wedge: Wedge,
  ) {
    this.inputs = specsOf(session, 'inputMetadata', session.inputNames);
    this.outputs = specsOf(session, 'outputMetadata', session.outputNames);
  }

  run(inputs: NamedTensors): Promise<NamedTensors> {
    this.wedge.check(this.backend);
    let running: Promise<Record<string, OrtTensor>>;
    try {
      running = this.device.guard(this.session.run(toOrtFeeds(this.ort, inputs)));
    } catch (error) {
      return Promise.reject(this.classify(error));
    }
    // One promise step when outputs are on the CPU (the common case): no async function frames.
    return running.then(fromOrtResults).catch((error: unknown) => {
      throw this.classify(error);
    });
  }

  /** ORT's error as the typed failure the model acts on. */
  private classify(error: unknown): Error {
    const lost = this.device.reason();
    if (lost) {
      // A lost WebGPU device leaves ORT's JSEP run hanging: this thread's ORT can run nothing more.
      this.wedge.set(lost);
      return this.wedge.error(this.backend)!;
    }
    const failure = classifyOrtError(error, 'run', this.backend);
    const message = describeError(error);
    if (failure === 'input') return new InputError(ortInputName(message), `feeds onnxruntime rejected (${message})`, `inputs matching the model's declared inputs`, { cause: error });
    if (failure === 'engine-busy') return new EngineWedgedError(this.backend, `onnxruntime-web is still busy with an earlier run in this thread: ${message}`, { cause: error });
    if (failure === 'model-format') return new ModelFormatError(message, { cause: error });
    return new BackendError(this.backend, message, { cause: error, failure });
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/**
 * The ONNX engine, on onnxruntime-web.
 *
 * @example
 * const runtime = createRuntime({ engines: [createOnnxEngine()] });
 */
export function createOnnxEngine(options: OnnxEngineOptions = {}): Engine {
  const loadOrt = options.loadOrt ?? (() => import('onnxruntime-web/all') as Promise<Ort>);
  const orts = new Map<BackendName, Promise<Ort>>();
  const getOrt = (backend: BackendName) => {
    let ort = orts.get(backend);
    if (!ort) {
      ort = loadOrt(backend).then((m) => {
        if (options.wasmPaths && m.env?.wasm) m.env.wasm.wasmPaths = options.wasmPaths;
        return m;
      });
      // A failed load (module not installed) is retried on the next attempt, not cached.
      ort.catch(() => orts.delete(backend));
      orts.set(backend, ort);
    }
    return ort;
  };

  return {
    name: options.name ?? 'onnx',
    backends: options.backends ?? ['webgpu', 'webgl', 'wasm'],
    companionFiles: () => [],
    async createSession(artifact: ModelArtifact, backend: BackendName, sessionOptions: SessionOptions): Promise<EngineSession> {
      const bytes = artifact.files[artifact.entry]!;
      if (!looksLikeOnnx(bytes)) {
        throw new ModelFormatError(`"${artifact.entry}" is not an ONNX model (${bytes.length} bytes, first byte 0x${(bytes[0] ?? 0).toString(16)}; expected 0x08).`);
      }
      let ort: Ort;
      try {
        ort = await getOrt(backend);
      } catch (error) {
        throw new BackendError(backend, `its onnxruntime module could not be loaded: ${describeError(error)}`, { cause: error, failure: 'backend-unavailable' });
      }
      const wedge = wedgeOf(ort);
      wedge.check(backend);
      // numThreads is process-wide in ORT and only read when the WASM module first initialises.
      if (sessionOptions.numThreads && ort.env?.wasm) ort.env.wasm.numThreads = sessionOptions.numThreads;
      let session: OrtSession;
      try {
        // The artifact's other files are the model's external data (weights beside a small graph, as
        // large models ship): ORT reads them by the path the graph names, without concatenating.
        const externalData = Object.entries(artifact.files).filter(([path]) => path !== artifact.entry).map(([path, data]) => ({ path, data }));
        session = await ort.InferenceSession.create(bytes, { executionProviders: [backend], graphOptimizationLevel: 'all', ...(externalData.length ? { externalData } : {}), ...options.sessionOptions?.(backend, sessionOptions) });
      } catch (error) {
        const message = describeError(error);
        const failure = classifyOrtError(error, 'create', backend);
        if (failure === 'model-format') throw new ModelFormatError(`"${artifact.entry}" could not be parsed as ONNX: ${message}`, { cause: error });
        if (failure === 'engine-busy') throw new EngineWedgedError(backend, `onnxruntime-web is still busy with an earlier run in this thread: ${message}`, { cause: error });
        const explained = backend !== 'webgl' && isRuntimeFilesProblem(message) ? explainRuntimeFiles(message, options.wasmPaths) : message;
        throw new BackendError(backend, explained, { cause: error, failure: failure === 'input' ? 'backend-unavailable' : failure });
      }
      const device = watchDevice(backend === 'webgpu' ? await ortWebGpuDevice(ort) : undefined);
      return new OnnxSession(ort, session, backend, device, wedge);
    },
  };
}
