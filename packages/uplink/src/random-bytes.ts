/**
 * Cryptographically random bytes: crypto.getRandomValues (browsers, Node ≥ 20, React Native with
 * react-native-get-random-values). There is no Math.random fallback: window tokens and rounding
 * must not be predictable.
 */
export function randomBytes(n: number): Uint8Array {
  const c = globalThis.crypto;
  if (typeof c?.getRandomValues !== 'function') throw new Error('Edgewise uplink needs crypto.getRandomValues (on React Native: import "react-native-get-random-values" first).');
  return c.getRandomValues(new Uint8Array(n));
}

/** A fresh random window token: 128 bits as 32 hex digits. */
export const windowToken = (): string => Array.from(randomBytes(16), (b) => b.toString(16).padStart(2, '0')).join('');

/** A uniform double in [0, 1) with 53 random bits. */
export function randomUnit(): number {
  const b = randomBytes(8);
  const hi = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  const lo = ((b[4]! << 24) | (b[5]! << 16) | (b[6]! << 8) | b[7]!) >>> 0;
  return ((hi >>> 5) * 67108864 + (lo >>> 6)) / 9007199254740992;
}
