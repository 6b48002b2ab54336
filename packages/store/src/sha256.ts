import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { createSHA256 } from 'hash-wasm';

/** An incremental SHA-256: feed it a file piece by piece as it streams, read the hex digest at the end. */
export interface Sha256 {
  update(bytes: Uint8Array): void;
  hex(): string;
  /** Starts over (a download restarting from byte 0). */
  reset(): void;
}

let wasmWorks: Promise<boolean> | undefined;

/**
 * hash-wasm (WebAssembly, ~2x the speed of pure JS here) where WebAssembly runs; @noble/hashes (pure
 * JS) where it does not, e.g. React Native builds without WebAssembly. Both stream, so hashing needs
 * no copy of the file; WebCrypto cannot hash incrementally.
 */
export async function createSha256(): Promise<Sha256> {
  wasmWorks ??= typeof WebAssembly === 'object' ? createSHA256().then(() => true, () => false) : Promise.resolve(false);
  if (await wasmWorks) {
    const hasher = await createSHA256();
    hasher.init();
    return { update: (bytes) => void hasher.update(bytes), hex: () => hasher.digest('hex'), reset: () => void hasher.init() };
  }
  return createPortableSha256();
}

/** The pure-JS hasher; exported so tests can check both paths agree. */
export function createPortableSha256(): Sha256 {
  let hasher = nobleSha256.create();
  return {
    update: (bytes) => void hasher.update(bytes),
    hex: () => Array.from(hasher.digest(), (b) => b.toString(16).padStart(2, '0')).join(''),
    reset: () => void (hasher = nobleSha256.create()),
  };
}

/** Hex SHA-256 of bytes in memory. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const hasher = await createSha256();
  hasher.update(bytes);
  return hasher.hex();
}
