import { randomBytes } from 'node:crypto';

// Random bytes drawn from the OS CSPRNG in blocks: a release draws hundreds of values, and one
// system call per value would cost more than the release itself.
const POOL = 8192;
let pool = Buffer.alloc(0);
let offset = POOL;

/** A uniform double in (0, 1) with 53 random bits from the OS CSPRNG (never 0, so log() is finite). */
export function cryptoUnit(): number {
  for (;;) {
    if (offset + 8 > pool.length) {
      pool = randomBytes(POOL);
      offset = 0;
    }
    const u = ((pool.readUInt32BE(offset) >>> 5) * 67108864 + (pool.readUInt32BE(offset + 4) >>> 6)) / 9007199254740992;
    // Used bytes are zeroed: a later dump of the process shows no noise that was drawn.
    pool.fill(0, offset, offset + 8);
    offset += 8;
    if (u > 0) return u;
  }
}

/**
 * One draw of Laplace(0, scale) by inverse CDF on a CSPRNG uniform. Released counts are rounded to
 * integers afterwards (post-processing), which also removes the low-order float bits that
 * Mironov's attack on floating-point Laplace reads.
 */
export function laplace(scale: number, random: () => number = cryptoUnit): number {
  const u = random() - 0.5;
  return -scale * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
}
