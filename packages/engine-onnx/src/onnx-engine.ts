import {
  BackendError,
  EngineWedgedError,
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
  check(backend: string) {
    if (this.reason) {
      throw new EngineWedgedError(
        backend,
        `onnxruntime-web can no longer run in this thread: ${this.reason}. Its hung run holds the WASM module; load the model with worker: true so Edgewise can restart the worker on the next backend.`,
      );
    }
  }
}

type OrtSession = Awaited<ReturnType<Ort['InferenceSession']['create']>>;

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

  async run(inputs: NamedTensors): Promise<NamedTensors> {
    this.wedge.check(this.backend);
    try {
      const results = await this.device.guard(this.session.run(toOrtFeeds(this.ort, inputs)));
      return await fromOrtResults(results);
    } catch (error) {
      const lost = this.device.reason();
      if (lost) {
        this.wedge.set(lost);
        this.wedge.check(this.backend);
      }
      throw new BackendError(this.backend, describeError(error), { cause: error });
    }
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
  const wedge = new Wedge();
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
    async simulateDeviceLoss() {
      const ort = orts.get('webgpu');
      if (ort) (await ortWebGpuDevice(await ort))?.destroy();
    },
    async createSession(artifact: ModelArtifact, backend: BackendName, sessionOptions: SessionOptions): Promise<EngineSession> {
      const bytes = artifact.files[artifact.entry]!;
      if (!looksLikeOnnx(bytes)) {
        throw new ModelFormatError(`"${artifact.entry}" is not an ONNX model (${bytes.length} bytes, first byte 0x${(bytes[0] ?? 0).toString(16)}; expected 0x08).`);
      }
      wedge.check(backend);
      let ort: Ort;
      try {
        ort = await getOrt(backend);
      } catch (error) {
        throw new BackendError(backend, `its onnxruntime module could not be loaded: ${describeError(error)}`, { cause: error });
      }
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
        if (/protobuf|parse|invalid model|failed to load model/i.test(message) && backend === 'wasm') {
          throw new ModelFormatError(`"${artifact.entry}" could not be parsed as ONNX: ${message}`, { cause: error });
        }
        throw new BackendError(backend, message, { cause: error });
      }
      const device = watchDevice(backend === 'webgpu' ? await ortWebGpuDevice(ort) : undefined);
      return new OnnxSession(ort, session, backend, device, wedge);
    },
  };
}
