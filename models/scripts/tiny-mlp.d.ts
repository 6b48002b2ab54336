/**
 * The tiny MLP every engine/backend test runs: 16 → 32 → 4, softmax. Shared by the generator and
 * the tests so both agree on the weights without shipping them.
 */
export declare const TINY_MLP_SIZES: number[];
export declare const TINY_MLP_SEED = 20261122;
export declare const tinyMlp: () => import("@edgewise/model-tools").DenseNetwork;
