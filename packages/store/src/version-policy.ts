import { resolveVersion, type Manifest } from './manifest.js';
import type { InstalledVersion, ModelState } from './store-adapter.js';

/**
 * Which version to run, as pure functions of the manifest, the model's state and what is installed,
 * so the rules are testable without a store and every caller decides the same way.
 */

/** The version a manifest says to run, honouring a rollback until the manifest moves past it. */
export function chooseVersion(manifest: Manifest, requested: string, state: ModelState, bucket: number): { version: string; state: ModelState } {
  let version = resolveVersion(manifest, requested, bucket);
  const next: ModelState = { ...state, revoked: manifest.revoked };
  if (requested === 'latest' && state.rolledBackFrom) {
    if (state.rolledBackFrom === version && state.active && !manifest.revoked.includes(state.active)) version = state.active;
    // The manifest moved past the version rolled back from, or revoked the one rolled back to: the
    // rollback is over (kept, it would forbid activating the very version chosen here).
    else delete next.rolledBackFrom;
  }
  if (requested === 'latest') {
    // Remembered so that later loads served from the cache (no manifest at hand) still know a canary;
    // one whose guard passed here already is a canary no more.
    if (manifest.rollout?.version === version && version !== manifest.latest && state.canaryPassed !== version) next.rollout = version;
    else delete next.rollout;
  }
  return { version, state: next };
}

/** Without asking the network: the version a load may serve at once (the active one, or the exact one asked for). */
export function cachedVersion(requested: string, state: ModelState | undefined): string | undefined {
  const version = requested === 'latest' ? state?.active : requested;
  return version !== undefined && !state?.revoked.includes(version) ? version : undefined;
}

/** Offline: the active version first, then the most recently installed, never a revoked one. */
export function offlineCandidates(records: InstalledVersion[], state: ModelState | undefined, model: string, requested: string): InstalledVersion[] {
  const revoked = new Set(state?.revoked ?? []);
  return records
    .filter((r) => r.model === model && !revoked.has(r.version))
    .filter((r) => requested === 'latest' || r.version === requested)
    .sort((a, b) => Number(b.version === state?.active) - Number(a.version === state?.active) || b.installedAt - a.installedAt);
}

/**
 * The state after activating `version`, or undefined when the activation must not happen: a
 * rollback away from it landed after this load chose it (activating would undo the rollback).
 */
export function activate(state: ModelState, version: string, requested: string): ModelState | undefined {
  if (state.active === version) return state;
  if (requested === 'latest' && state.rolledBackFrom === version) return undefined;
  return { ...state, previous: state.active, active: version };
}

/** The state after `version`'s canary guard passed: no longer a canary, unless a rollback moved on since. */
export function canaryPassed(state: ModelState, version: string): ModelState {
  if (state.rollout !== version) return state;
  const next: ModelState = { ...state, canaryPassed: version };
  delete next.rollout;
  return next;
}

/** The state after a rollback to the previous version. */
export function rolledBack(state: ModelState & { active: string; previous: string }): ModelState {
  return { ...state, active: state.previous, previous: state.active, rolledBackFrom: state.active };
}

/**
 * The version a 'latest' load of `served` is a canary against: the previously active one, when
 * `served` was reached through the manifest's rollout and the previous version is not revoked.
 */
export function canaryPrevious(requested: string, served: string, state: ModelState | undefined): string | undefined {
  if (requested !== 'latest' || !state || state.rollout !== served) return undefined;
  const previous = state.previous;
  return previous !== undefined && previous !== served && !state.revoked.includes(previous) ? previous : undefined;
}
