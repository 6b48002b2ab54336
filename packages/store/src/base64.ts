import { fromByteArray, toByteArray } from 'base64-js';

/**
 * Base64 for bytes on every engine Edgewise runs on (some React Native engines have no atob/btoa,
 * or only for strings): react-native-fs moves binary data as base64 strings, and store file names
 * are base64url. base64-js (the codec behind the `buffer` package) does the work; this adds the
 * checks it leaves out (it decodes unknown characters silently) and optional padding.
 */
export const bytesToBase64 = (bytes: Uint8Array): string => fromByteArray(bytes);

export function base64ToBytes(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  const bad = /[^A-Za-z0-9+/=]/.exec(clean);
  if (bad) throw new RangeError(`Invalid base64 character ${JSON.stringify(bad[0])} at ${bad.index}.`);
  const unpadded = clean.replace(/=+$/, '');
  if (unpadded.length % 4 === 1) throw new RangeError(`Invalid base64: ${unpadded.length} characters cannot encode whole bytes.`);
  return toByteArray(unpadded.padEnd(Math.ceil(unpadded.length / 4) * 4, '='));
}
