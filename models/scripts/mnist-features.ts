import type { FeatureSpec } from '@edgewise/drift';

/**
 * What the MNIST monitor watches in each 28×28 image: how much ink, how spread, and where its centre
 * lies. Thick, faint or off-centre drawing moves these away from the training baseline.
 */
export const MNIST_FEATURES: FeatureSpec[] = [
  { name: 'ink_mean', input: 'input', reduce: 'mean' },
  { name: 'ink_std', input: 'input', reduce: 'std' },
  { name: 'ink_coverage', input: 'input', reduce: 'nonzero-fraction' },
  { name: 'centroid_x', input: 'input', reduce: 'centroid-x', width: 28 },
  { name: 'centroid_y', input: 'input', reduce: 'centroid-y', width: 28 },
];
