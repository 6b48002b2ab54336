/** Laplace noise with scale 1/epsilon, rounded and clamped to a count (≥ 0). */
export function noisyCount(count: number, epsilon: number | undefined, random: () => number = Math.random): number {
  if (!epsilon) return count;
  const u = random() - 0.5;
  return Math.max(0, Math.round(count - (1 / epsilon) * Math.sign(u) * Math.log(1 - 2 * Math.abs(u))));
}
