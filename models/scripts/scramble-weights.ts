import type { DenseNetwork } from '@edgewise/model-tools';
import { seededRandom } from '@edgewise/model-tools';

/** Fisher–Yates with a seeded generator: the same permutation on every machine. */
function shuffled(values: Float32Array, rand: () => number): Float32Array {
  const out = values.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * A deliberately broken candidate: the same network with every weight matrix and bias vector
 * shuffled (fixed seed). Same shapes, same ops, same cost per run, finite outputs, nothing throws:
 * only the answers are wrong, which is what the canary guard's agreement criterion must catch.
 *
 * @example
 * const broken = denseNetworkToOnnx(scrambleNetwork(net, 7), { batch: 'batch' });
 */
export function scrambleNetwork(net: DenseNetwork, seed: number): DenseNetwork {
  const rand = seededRandom(seed);
  return { sizes: [...net.sizes], kernels: net.kernels.map((k) => shuffled(k, rand)), biases: net.biases.map((b) => shuffled(b, rand)) };
}
