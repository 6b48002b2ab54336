/**
 * `@edgewise/core/internal`: the pieces Edgewise's own packages build on (the worker host, other
 * runtimes). Exported for them, not for apps: these may change in any release.
 */
export { serializeError, deserializeError, type SerializedError } from './error-serialization.js';
export { arrayClassFor, transferablesOf } from './tensor.js';
export { withRunId } from './run-id.js';
export { resolveArtifact, fetchBytes } from './model-source.js';
export { validateInputs, compileInputValidator } from './validate-inputs.js';
export { SerialQueue } from './serial-queue.js';
export { Emitter } from './events.js';
export { openOnFirstWorkingBackend } from './backend-selection.js';
export { openFastestBackend, zeroProbe } from './fastest-backend.js';
export { LocalModel, checkLabel, checkRunId, type LocalModelOptions } from './model.js';
export { classifyFailure } from './failure.js';
export { next as nextLifecycleState, initialState, type LifecycleState, type LifecycleEvent, type LifecycleEffect, type LifecyclePolicy } from './lifecycle.js';
export { LifecycleDriver, type LifecycleIo, type Attempt } from './lifecycle-driver.js';
export { checkLoadOptions } from './load-options.js';
export { disabledObserver } from './disabled-observer.js';
