import type { Engine, ModelArtifact } from './engine.js';
import { ModelSourceError, describeError } from './errors.js';

/**
 * Where a model comes from: a URL (or, in Node, a file path) of its entry file; its bytes; or a
 * ready artifact with every file.
 */
export type ModelSource = string | URL | ArrayBuffer | Uint8Array | ModelArtifact;

/** Reads the bytes behind a URL or path; platforms supply it (fetch in browsers, fs in Node). */
export type ReadBytes = (url: string) => Promise<Uint8Array>;

/** The browser/worker default: fetch, with HTTP errors turned into ModelSourceError. */
export const fetchBytes: ReadBytes = async (url) => {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (cause) {
    throw new ModelSourceError(`Could not fetch ${url}: ${describeError(cause)}`, { cause });
  }
  if (!response.ok) throw new ModelSourceError(`Could not fetch ${url}: HTTP ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
};

function isArtifact(source: unknown): source is ModelArtifact {
  return typeof source === 'object' && source !== null && 'entry' in source && 'files' in source;
}

/** Resolves `relative` against the entry's URL, keeping plain file paths working too. */
function siblingUrl(entryUrl: string, relative: string): string {
  try {
    return new URL(relative, entryUrl).href;
  } catch {
    const slash = entryUrl.lastIndexOf('/');
    return slash < 0 ? relative : entryUrl.slice(0, slash + 1) + relative;
  }
}

/**
 * Turns any ModelSource into a complete artifact, fetching companion files (weight shards) next to
 * the entry file.
 */
export async function resolveArtifact(source: ModelSource, engine: Engine, read: ReadBytes): Promise<ModelArtifact> {
  if (isArtifact(source)) {
    if (!(source.entry in source.files)) {
      throw new ModelSourceError(`Artifact entry "${source.entry}" is not among its files: ${Object.keys(source.files).join(', ')}.`);
    }
    return source;
  }
  if (source instanceof ArrayBuffer) return { entry: 'model', files: { model: new Uint8Array(source) } };
  if (source instanceof Uint8Array) return { entry: 'model', files: { model: source } };
  if (typeof source !== 'string' && !(source instanceof URL)) {
    throw new TypeError(
      `loadModel(): "source" must be a URL, a path, an ArrayBuffer, a Uint8Array or {entry, files}; received ${typeof source}.`,
    );
  }
  const url = String(source);
  const entryName = url.split(/[?#]/)[0]!.split('/').pop() || 'model';
  const entryBytes = await read(url);
  const files: Record<string, Uint8Array> = { [entryName]: entryBytes };
  const companions = engine.companionFiles(entryName, entryBytes);
  const fetched = await Promise.all(companions.map((name) => read(siblingUrl(url, name))));
  companions.forEach((name, i) => (files[name] = fetched[i]!));
  return { entry: entryName, files };
}
