import { Chunker } from './chunker.js';
import { StoreError } from './errors.js';
import type { Sha256 } from './sha256.js';

export interface DownloadProgress {
  /** Bytes received so far across all files of the version (bytes already stored by an earlier, interrupted download included). */
  loaded: number;
  /** Bytes of all files of the version (from the manifest). */
  total: number;
  /** The file being received. */
  file: string;
}

/** Where a file's download stands: whole chunks stored so far, and the server's validator for them. */
export interface DownloadPosition {
  chunks: number;
  bytes: number;
  etag?: string;
}

export interface FileDownload {
  url: string;
  size: number;
  chunkSize: number;
  fetch: typeof fetch;
  signal?: AbortSignal;
  /** Already fed with the stored prefix (`from.bytes`). */
  hasher: Sha256;
  from: DownloadPosition;
  /** Further attempts after a connection drops mid-way, each resuming from the last stored chunk. */
  retries: number;
  /** Stores one chunk (a buffer of exactly its size, reused afterwards: copy it); resolves once it is durable. */
  putChunk(index: number, chunk: Uint8Array, offset: number): Promise<void>;
  /** Called after each stored chunk, so an interruption can resume from there (even after a reload). */
  onStored(position: DownloadPosition): Promise<void>;
  /** Received bytes; negative when bytes are discarded (a half-received chunk, a restart from 0). */
  onBytes(n: number): void;
}

const aborted = (url: string, cause: unknown) => new StoreError('E_ABORTED', `Download of ${url} was aborted.`, { cause });

/** A drop mid-body: worth resuming. Anything the server said on purpose is not. */
class Interrupted extends Error {}

/**
 * Streams one file from the response body into the store chunk by chunk, hashing as it goes, so
 * memory stays at about one chunk whatever the size. A dropped connection resumes with
 * `Range: bytes=<stored>-` (and `If-Range` with the ETag); a server that answers 200 instead of 206,
 * or a file whose ETag or size changed, restarts from 0. Resolves with the final position; the
 * caller compares the digest with the manifest.
 */
export async function downloadFile(job: FileDownload): Promise<DownloadPosition> {
  let position = { ...job.from };
  for (let attempt = 0; ; attempt++) {
    try {
      return await attemptDownload(job, position, (p) => (position = p));
    } catch (error) {
      if (!(error instanceof Interrupted) || attempt >= job.retries || job.signal?.aborted) {
        // Already an E_ABORTED from the attempt: thrown as it is, so its cause stays the abort's.
        if (job.signal?.aborted) throw error instanceof StoreError && error.code === 'E_ABORTED' ? error : aborted(job.url, error);
        throw error instanceof Interrupted ? new StoreError('E_DOWNLOAD', `Download of ${job.url} failed mid-way after ${attempt + 1} attempts (${position.bytes} of ${job.size} bytes stored; the next load resumes from there): ${error.message}`, { cause: error.cause }) : error;
      }
      await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
    }
  }
}

async function attemptDownload(job: FileDownload, from: DownloadPosition, advance: (p: DownloadPosition) => void): Promise<DownloadPosition> {
  const { url, size } = job;
  const headers: Record<string, string> = {};
  if (from.bytes > 0) {
    headers.range = `bytes=${from.bytes}-`;
    if (from.etag && !from.etag.startsWith('W/')) headers['if-range'] = from.etag;
  }
  let response: Response;
  try {
    response = await job.fetch(url, { signal: job.signal, cache: 'no-store', headers });
  } catch (cause) {
    if (job.signal?.aborted) throw aborted(url, cause);
    throw new StoreError('E_DOWNLOAD', `Could not fetch ${url}: ${(cause as Error).message}`, { cause });
  }
  let position = from;
  const etag = response.headers.get('etag') ?? undefined;
  if (from.bytes > 0 && !resumes(response, from, size)) {
    // The server ignored the range, or the file changed under us: start again from byte 0 (a 200
    // already carries the whole file; anything else is asked again without a range).
    job.onBytes(-from.bytes);
    job.hasher.reset();
    position = { chunks: 0, bytes: 0 };
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      return attemptDownload(job, position, advance);
    }
  }
  if (!response.ok) throw new StoreError('E_DOWNLOAD', `Could not fetch ${url}: HTTP ${response.status} ${response.statusText}`);
  if (etag) position = { ...position, etag };
  const chunker = new Chunker(job.chunkSize, size - position.bytes);
  // One write in flight while the next chunk fills: the network and the store work at once.
  let writing: Promise<void> = Promise.resolve();
  let writeError: unknown;
  let handed = position;
  const store = async (chunk: Uint8Array) => {
    await writing;
    if (writeError) throw writeError;
    job.hasher.update(chunk);
    const at = handed;
    handed = { ...at, chunks: at.chunks + 1, bytes: at.bytes + chunk.byteLength };
    writing = (async () => {
      await job.putChunk(at.chunks, chunk, at.bytes);
      position = { ...position, chunks: at.chunks + 1, bytes: at.bytes + chunk.byteLength };
      advance(position);
      await job.onStored(position);
    })().catch((error) => void (writeError = error));
  };
  try {
    for await (const piece of pieces(response)) {
      if (handed.bytes + chunker.pending + piece.byteLength > size) {
        throw new StoreError('E_INTEGRITY', `${url} is larger than the manifest's ${size} bytes.`);
      }
      job.onBytes(piece.byteLength);
      await chunker.push(piece, store);
    }
    if (size === 0 && handed.chunks === 0) await store(new Uint8Array(0));
  } catch (cause) {
    await writing;
    // A failed write (quota, a broken store) is the store's error, not a network drop to resume.
    if (writeError) throw writeError;
    if (cause instanceof StoreError) throw cause;
    if (job.signal?.aborted) throw aborted(url, cause);
    job.onBytes(-chunker.pending - (handed.bytes - position.bytes));
    throw new Interrupted((cause as Error).message, { cause });
  }
  await writing;
  if (writeError) throw writeError;
  if (position.bytes !== size) {
    job.onBytes(-chunker.pending);
    throw new StoreError('E_INTEGRITY', `${url} ended after ${position.bytes + chunker.pending} of the manifest's ${size} bytes (truncated).`);
  }
  return position;
}

/** A 206 that continues exactly where the stored bytes end, of a file of the expected size and validator. */
function resumes(response: Response, from: DownloadPosition, size: number): boolean {
  if (response.status !== 206) return false;
  const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
  if (!range || Number(range[1]) !== from.bytes || (range[3] !== '*' && Number(range[3]) !== size)) return false;
  const etag = response.headers.get('etag');
  return !(from.etag && etag && etag !== from.etag);
}

/**
 * The body piece by piece. React Native's fetch (XMLHttpRequest underneath) has no body stream:
 * there the whole body is one piece.
 */
async function* pieces(response: Response): AsyncGenerator<Uint8Array> {
  if (!response.body) {
    yield new Uint8Array(await response.arrayBuffer());
    return;
  }
  const reader = response.body.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if ((finished = done)) return;
      yield value;
    }
  } finally {
    // Stopped early (too many bytes, a failed write): free the connection.
    if (!finished) await reader.cancel().catch(() => undefined);
  }
}
