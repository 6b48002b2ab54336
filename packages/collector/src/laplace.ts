import { randomBytes } from 'node:crypto';

/** A uniform double in (0, 1) with 53 random bits from the OS CSPRNG (never 0, so log() is finite). */
export function cryptoUnit(): number {
  for (;;) {
    const b = randomBytes(8);
    const u = ((b.readUInt32BE(0) >>> 5) * 67108864 + (b.readUInt32BE(4) >>> 6)) / 9007199254740992;
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
