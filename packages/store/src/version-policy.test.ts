import { describe, expect, it } from 'vitest';
import { parseManifest } from './manifest.js';
import type { InstalledVersion, ModelState } from './store-adapter.js';
import { activate, cachedVersion, canaryPassed, canaryPrevious, chooseVersion, offlineCandidates, rolledBack } from './version-policy.js';

const file = { path: 'm.onnx', size: 3, sha256: 'ab'.repeat(32) };
const spec = { engine: 'onnx', entry: 'm.onnx', files: [file] };
const manifest = (latest: string, revoked: string[] = []) => parseManifest({ format: 'edgewise-manifest', version: 1, name: 'm', latest, revoked, versions: { '1.0.0': spec, '1.1.0': spec, '1.2.0': spec } });
const record = (version: string, installedAt: number): InstalledVersion => ({ id: `m@${version}`, model: 'm', version, engine: 'onnx', entry: 'm.onnx', files: [], bytes: 3, installedAt, lastUsedAt: 0, pinned: false });

describe('version policy', () => {
  it("stays on a rolled-back-to version until the manifest's latest moves past the one rolled back from", () => {
    const state: ModelState = rolledBack({ model: 'm', revoked: [], active: '1.1.0', previous: '1.0.0' });
    expect(state).toMatchObject({ active: '1.0.0', previous: '1.1.0', rolledBackFrom: '1.1.0' });
    expect(chooseVersion(manifest('1.1.0'), 'latest', state, 0)).toMatchObject({ version: '1.0.0', state: { rolledBackFrom: '1.1.0' } });
    const moved = chooseVersion(manifest('1.2.0'), 'latest', state, 0);
    expect(moved.version).toBe('1.2.0');
    expect(moved.state.rolledBackFrom).toBeUndefined();
    // The rolled-back-to version revoked: the manifest's latest, even the one rolled back from.
    expect(chooseVersion(manifest('1.1.0', ['1.0.0']), 'latest', state, 0).version).toBe('1.1.0');
  });

  it('refuses an activation that would undo a rollback made after the version was chosen', () => {
    const after = rolledBack({ model: 'm', revoked: [], active: '1.1.0', previous: '1.0.0' });
    expect(activate(after, '1.1.0', 'latest')).toBeUndefined();
    expect(activate(after, '1.1.0', '1.1.0')).toMatchObject({ active: '1.1.0', previous: '1.0.0' }); // asked for by name
    expect(activate(after, '1.0.0', 'latest')).toBe(after);
  });

  it('serves from the cache only a version that is active (or asked for) and not revoked', () => {
    expect(cachedVersion('latest', { model: 'm', revoked: [], active: '1.1.0' })).toBe('1.1.0');
    expect(cachedVersion('latest', { model: 'm', revoked: ['1.1.0'], active: '1.1.0' })).toBeUndefined();
    expect(cachedVersion('1.0.0', { model: 'm', revoked: [] })).toBe('1.0.0');
    expect(cachedVersion('latest', undefined)).toBeUndefined();
  });

  it('offline: the active version first, then the most recently installed, never a revoked one', () => {
    const records = [record('1.0.0', 1), record('1.2.0', 3), record('1.1.0', 2), { ...record('9.9.9', 9), model: 'other' }];
    const order = (state?: ModelState) => offlineCandidates(records, state, 'm', 'latest').map((r) => r.version);
    expect(order()).toEqual(['1.2.0', '1.1.0', '1.0.0']);
    expect(order({ model: 'm', revoked: ['1.2.0'], active: '1.0.0' })).toEqual(['1.0.0', '1.1.0']);
  });

  it("remembers a rollout version that 'latest' chose, so cached loads of it are canaries against the previous version", () => {
    const withRollout = { ...manifest('1.0.0'), rollout: { version: '1.1.0', percent: 50 } };
    const start: ModelState = { model: 'm', revoked: [], active: '1.0.0' };
    const inside = chooseVersion(withRollout, 'latest', start, 10);
    expect(inside).toMatchObject({ version: '1.1.0', state: { rollout: '1.1.0' } });
    // Outside the rollout's bucket range, or once the rollout became latest, no canary.
    expect(chooseVersion(withRollout, 'latest', start, 60).state.rollout).toBeUndefined();
    expect(chooseVersion({ ...manifest('1.1.0'), rollout: { version: '1.1.0', percent: 100 } }, 'latest', { ...start, rollout: '1.1.0' }, 10).state.rollout).toBeUndefined();
    // An exact version asked for leaves the remembered rollout alone.
    expect(chooseVersion(withRollout, '1.0.0', { ...start, rollout: '1.1.0' }, 60).state.rollout).toBe('1.1.0');
    const active = activate(inside.state, '1.1.0', 'latest')!;
    expect(canaryPrevious('latest', '1.1.0', active)).toBe('1.0.0');
    expect(canaryPrevious('1.1.0', '1.1.0', active)).toBeUndefined(); // asked for by name: not a canary
    expect(canaryPrevious('latest', '1.0.0', active)).toBeUndefined();
    expect(canaryPrevious('latest', '1.1.0', { ...active, revoked: ['1.0.0'] })).toBeUndefined();
    // After the guard's rollback, 'latest' keeps the previous version and is no canary.
    const back = rolledBack({ ...active, active: '1.1.0', previous: '1.0.0' });
    const again = chooseVersion(withRollout, 'latest', back, 10);
    expect(again.version).toBe('1.0.0');
    expect(canaryPrevious('latest', again.version, again.state)).toBeUndefined();
  });

  it('a canary that passed here is guarded no more, online or from the cache, until another rollout version comes', () => {
    const withRollout = (version: string) => ({ ...manifest('1.0.0'), rollout: { version, percent: 100 } });
    const chosen = chooseVersion(withRollout('1.1.0'), 'latest', { model: 'm', revoked: [], active: '1.0.0' }, 10);
    const active = activate(chosen.state, '1.1.0', 'latest')!;
    const passed = canaryPassed(active, '1.1.0');
    expect(passed).toMatchObject({ canaryPassed: '1.1.0', active: '1.1.0', previous: '1.0.0' });
    expect(passed.rollout).toBeUndefined();
    expect(canaryPrevious('latest', '1.1.0', passed)).toBeUndefined();
    const online = chooseVersion(withRollout('1.1.0'), 'latest', passed, 10);
    expect(online.version).toBe('1.1.0');
    expect(canaryPrevious('latest', online.version, online.state)).toBeUndefined();
    // The next rollout version is a canary again.
    const next = chooseVersion(withRollout('1.2.0'), 'latest', passed, 10);
    expect(next).toMatchObject({ version: '1.2.0', state: { rollout: '1.2.0' } });
    // A verdict for a version that is no longer the canary (rolled back, or moved on) changes nothing.
    expect(canaryPassed(next.state, '1.1.0')).toBe(next.state);
  });

  it('a version asked for by name is served even when it is the one rolled back from, and the rollback still holds for latest', () => {
    const back = rolledBack({ model: 'm', revoked: [], active: '1.1.0', previous: '1.0.0' });
    expect(chooseVersion(manifest('1.1.0'), '1.1.0', back, 0)).toMatchObject({ version: '1.1.0', state: { rolledBackFrom: '1.1.0' } });
  });

  it('when the rolled-back-to version is revoked, the rollback ends: latest is served and may be activated', () => {
    const back = rolledBack({ model: 'm', revoked: [], active: '1.1.0', previous: '1.0.0' });
    const chosen = chooseVersion(manifest('1.1.0', ['1.0.0']), 'latest', back, 0);
    expect(chosen.version).toBe('1.1.0');
    expect(chosen.state.rolledBackFrom).toBeUndefined();
    // Else every load would choose 1.1.0 and then be refused activating it.
    expect(activate(chosen.state, '1.1.0', 'latest')).toMatchObject({ active: '1.1.0' });
  });

  it('a rolled-back-to version kept by latest is no canary, even while a rollout of another version runs', () => {
    const back = rolledBack({ model: 'm', revoked: [], active: '1.1.0', previous: '1.0.0' });
    const chosen = chooseVersion({ ...manifest('1.1.0'), rollout: { version: '1.2.0', percent: 10 } }, 'latest', back, 50);
    expect(chosen.version).toBe('1.0.0');
    expect(chosen.state.rollout).toBeUndefined();
  });

  it('offline, an exact version is served only as itself', () => {
    const records = [record('1.0.0', 1), record('1.2.0', 3), record('1.1.0', 2)];
    expect(offlineCandidates(records, { model: 'm', revoked: [], active: '1.2.0' }, 'm', '1.1.0').map((r) => r.version)).toEqual(['1.1.0']);
    expect(offlineCandidates(records, undefined, 'm', '9.9.9')).toEqual([]);
  });

  it('a version is never a canary against itself', () => {
    expect(canaryPrevious('latest', '1.1.0', { model: 'm', revoked: [], active: '1.1.0', previous: '1.1.0', rollout: '1.1.0' })).toBeUndefined();
    expect(canaryPrevious('latest', '1.1.0', { model: 'm', revoked: [], active: '1.1.0', rollout: '1.1.0' })).toBeUndefined();
    expect(canaryPrevious('latest', '1.1.0', undefined)).toBeUndefined();
  });
});
