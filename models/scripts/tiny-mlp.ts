import { randomDenseNetwork } from '@edgewise/model-tools/dense-network';

/**
 * The tiny MLP every engine/backend test runs: 16 → 32 → 4, softmax. Shared by the generator and
 * the tests so both agree on the weights without shipping them.
 */
export const TINY_MLP_SIZES = [16, 32, 4];
export const TINY_MLP_SEED = 20261122;
export const tinyMlp = () => randomDenseNetwork(TINY_MLP_SIZES, TINY_MLP_SEED);
