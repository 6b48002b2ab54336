/**
 * `@edgewise/core`: the runtime API (createRuntime, loadModel, Model), the Engine interface that
 * engines implement, tensors, the monitoring contract, and every error class. What sibling packages
 * need beyond that lives in `@edgewise/core/internal` (no stability promise).
 */
export * from './errors.js';
export { tensor, elementCount, DTYPES, type DType, type Tensor, type TensorSpec, type NamedTensors, type TypedArray } from './tensor.js';
export * from './engine.js';
export { runIdOf } from './run-id.js';
export type { ModelSource, ReadBytes } from './model-source.js';
export type { ValidationOptions } from './validate-inputs.js';
export type { ModelEventMap, ModelEventName, ModelEventListener } from './events.js';
export { DEFAULT_RECOVERY, type Model, type RecoveryOptions, type RunOptions } from './model.js';
export type { Failure, FailureKind } from './failure.js';
export type { LifecycleStatus } from './lifecycle.js';
export type { LoadModelOptions } from './load-options.js';
export { compareOutputs, type ShadowOptions, type ShadowOutcome } from './shadow.js';
export { DEFAULT_CANARY, judgeCanary, type CanaryOptions, type CanaryReason, type CanaryEvidence, type CanaryJudgement } from './canary.js';
export type { CanaryVerdict, CanaryStatus, CanaryCounts } from './canary-guard.js';
export { createRuntime, type Runtime, type RuntimeOptions, type ModelHost, type ManifestLoader } from './runtime.js';
export type * from './monitoring.js';
export type { Baseline } from '@edgewise/wire';
