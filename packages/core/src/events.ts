import type { BackendAttempt } from './errors.js';
import type { CanaryVerdict } from './canary-guard.js';
import type { LifecycleStatus } from './lifecycle.js';

/** Events a model emits. */
export interface ModelEventMap {
  /** A backend was skipped or failed while choosing one at load time. */
  'backend-skipped': BackendAttempt;
  /** A run failed on `from` and the model moved to `to` (then retried the run once). */
  fallback: { from: string; to: string; reason: string };
  /** The model's lifecycle status changed (e.g. ready → falling-back → ready, or → failed with `error`). */
  state: { from: LifecycleStatus; to: LifecycleStatus; error?: unknown };
  /**
   * The canary guard decided (loadModel `canary`): 'passed', or 'rolled-back' with the `reason`,
   * after which this model object answers with `previous` and 'latest' loads get it too.
   */
  canary: CanaryVerdict;
}

export type ModelEventName = keyof ModelEventMap;
export type ModelEventListener<K extends ModelEventName> = (event: ModelEventMap[K]) => void;

/** A minimal typed emitter; listeners that throw are isolated from the model and each other. */
export class Emitter {
  private listeners = new Map<ModelEventName, Set<(e: never) => void>>();

  on<K extends ModelEventName>(name: K, listener: ModelEventListener<K>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as (e: never) => void);
    return () => set!.delete(listener as (e: never) => void);
  }

  emit<K extends ModelEventName>(name: K, event: ModelEventMap[K]): void {
    for (const listener of this.listeners.get(name) ?? []) {
      try {
        (listener as ModelEventListener<K>)(event);
      } catch (error) {
        // A broken listener must not break inference; surface it asynchronously instead.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
