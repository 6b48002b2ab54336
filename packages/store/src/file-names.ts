/**
 * Keys (model ids, chunk keys) as file names: base64url of their UTF-8 bytes, reversible and safe
 * on every file system. Written without Buffer, TextEncoder or btoa so it runs on React Native's
 * Hermes too; the output equals Node's `Buffer.from(key).toString('base64url')`.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function utf8(text: string): number[] {
  // encodeURIComponent turns every non-ASCII character into its UTF-8 bytes as %XX escapes.
  const escaped = encodeURIComponent(text);
  const bytes: number[] = [];
  for (let i = 0; i < escaped.length; i++) {
    if (escaped[i] === '%') {
      bytes.push(parseInt(escaped.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(escaped.charCodeAt(i));
  }
  return bytes;
}

export function encodeFileName(key: string): string {
  const bytes = utf8(key);
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = i + 2 < bytes.length ? 4 : i + 1 < bytes.length ? 3 : 2;
    for (let c = 0; c < chars; c++) out += ALPHABET[(n >> (18 - 6 * c)) & 63];
  }
  return out;
}

export function decodeFileName(name: string): string {
  let escaped = '';
  let bits = 0;
  let value = 0;
  for (const ch of name) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) throw new RangeError(`"${name}" is not a base64url file name.`);
    value = (value << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      escaped += '%' + ((value >> bits) & 255).toString(16).padStart(2, '0');
    }
  }
  return decodeURIComponent(escaped);
}
