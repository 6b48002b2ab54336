import { base64ToBytes, bytesToBase64 } from './base64.js';

/**
 * Keys (model ids, chunk keys) as file names: base64url of their UTF-8 bytes, reversible and safe
 * on every file system. Written without Buffer, TextEncoder or btoa so it runs on React Native's
 * Hermes too; the output equals Node's `Buffer.from(key).toString('base64url')`.
 */
export function encodeFileName(key: string): string {
  // encodeURIComponent turns every non-ASCII character into its UTF-8 bytes as %XX escapes.
  const escaped = encodeURIComponent(key);
  const bytes: number[] = [];
  for (let i = 0; i < escaped.length; i++) {
    if (escaped[i] === '%') {
      bytes.push(parseInt(escaped.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(escaped.charCodeAt(i));
  }
  return bytesToBase64(Uint8Array.from(bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodeFileName(name: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(name)) throw new RangeError(`"${name}" is not a base64url file name.`);
  const bytes = base64ToBytes(name.replace(/-/g, '+').replace(/_/g, '/'));
  return decodeURIComponent(Array.from(bytes, (b) => '%' + b.toString(16).padStart(2, '0')).join(''));
}
