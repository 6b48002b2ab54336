import { sha256Js } from './sha256-js.js';

/**
 * Hex SHA-256: WebCrypto where it exists (browsers, workers, Node ≥ 20), else the portable
 * implementation (React Native's Hermes has no crypto.subtle).
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  const digest = subtle ? new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)) : sha256Js(bytes);
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}
