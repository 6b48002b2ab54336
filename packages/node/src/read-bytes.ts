import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ModelSourceError, describeError, type ReadBytes } from '@edgewise/core';
import { fetchBytes } from '@edgewise/core/internal';

/** Paths and file: URLs from disk; http(s) through fetch. */
export const readNodeBytes: ReadBytes = async (url) => {
  if (/^https?:/i.test(url)) return fetchBytes(url);
  const path = url.startsWith('file:') ? fileURLToPath(url) : url;
  try {
    return new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new ModelSourceError(`Could not read model file ${path}: ${describeError(cause)}`, { cause });
  }
};
