import { StoreError } from './errors.js';

export interface DownloadProgress {
  /** Bytes received so far across all files of the version. */
  loaded: number;
  /** Bytes of all files of the version (from the manifest). */
  total: number;
  /** The file being received. */
  file: string;
}

/**
 * React Native's fetch (XMLHttpRequest underneath) has no body stream: read the whole body, with
 * one progress step at the end.
 */
async function readWhole(response: Response, url: string, expectedSize: number, onBytes: (n: number) => void, signal?: AbortSignal): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (cause) {
    if (signal?.aborted) throw new StoreError('E_ABORTED', `Download of ${url} was aborted.`, { cause });
    throw new StoreError('E_DOWNLOAD', `Download of ${url} failed mid-way: ${(cause as Error).message}`, { cause });
  }
  if (bytes.byteLength > expectedSize) throw new StoreError('E_INTEGRITY', `${url} is larger than the manifest's ${expectedSize} bytes.`);
  if (bytes.byteLength < expectedSize) throw new StoreError('E_INTEGRITY', `${url} ended after ${bytes.byteLength} of the manifest's ${expectedSize} bytes (truncated).`);
  onBytes(bytes.byteLength);
  return bytes;
}

/**
 * Streams one file, reporting progress per network chunk and handing each piece to `sink` (which
 * stores it), so a large model is never held twice. Returns the whole file's bytes for hashing.
 */
export async function downloadFile(
  url: string,
  expectedSize: number,
  fetchImpl: typeof fetch,
  onBytes: (n: number) => void,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetchImpl(url, { signal, cache: 'no-store' });
  } catch (cause) {
    if (signal?.aborted) throw new StoreError('E_ABORTED', `Download of ${url} was aborted.`, { cause });
    throw new StoreError('E_DOWNLOAD', `Could not fetch ${url}: ${(cause as Error).message}`, { cause });
  }
  if (!response.ok) throw new StoreError('E_DOWNLOAD', `Could not fetch ${url}: HTTP ${response.status} ${response.statusText}`);
  if (!response.body) return readWhole(response, url, expectedSize, onBytes, signal);
  const out = new Uint8Array(expectedSize);
  let offset = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (offset + value.byteLength > expectedSize) {
        throw new StoreError('E_INTEGRITY', `${url} is larger than the manifest's ${expectedSize} bytes.`);
      }
      out.set(value, offset);
      offset += value.byteLength;
      onBytes(value.byteLength);
    }
  } catch (cause) {
    if (cause instanceof StoreError) throw cause;
    if (signal?.aborted) throw new StoreError('E_ABORTED', `Download of ${url} was aborted.`, { cause });
    throw new StoreError('E_DOWNLOAD', `Download of ${url} failed mid-way: ${(cause as Error).message}`, { cause });
  }
  if (offset !== expectedSize) throw new StoreError('E_INTEGRITY', `${url} ended after ${offset} of the manifest's ${expectedSize} bytes (truncated).`);
  return out;
}
