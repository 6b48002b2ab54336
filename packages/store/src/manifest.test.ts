import { describe, expect, it } from 'vitest';
import { parseManifest, resolveVersion, type Manifest } from './manifest.js';

const file = { path: 'm.onnx', size: 3, sha256: 'ab'.repeat(32) };
const manifest = (extra: Partial<Manifest> = {}): Manifest =>
  parseManifest({
    format: 'edgewise-manifest',
    version: 1,
    name: 'm',
    latest: '1.0.0',
    revoked: ['0.9.0'],
    versions: { '0.9.0': { engine: 'onnx', entry: 'm.onnx', files: [file] }, '1.0.0': { engine: 'onnx', entry: 'm.onnx', files: [file] }, '1.1.0': { engine: 'onnx', entry: 'm.onnx', files: [file] } },
    ...extra,
  });

describe('manifest', () => {
  it('serves the rollout version only to devices whose bucket falls inside the percentage', () => {
    const m = manifest({ rollout: { version: '1.1.0', percent: 20 } });
    expect(resolveVersion(m, 'latest', 5)).toBe('1.1.0');
    expect(resolveVersion(m, 'latest', 19)).toBe('1.1.0');
    expect(resolveVersion(m, 'latest', 20)).toBe('1.0.0');
    expect(resolveVersion(m, '1.0.0', 5)).toBe('1.0.0');
  });
  it('never serves a revoked version', () => {
    expect(() => resolveVersion(manifest(), '0.9.0', 0)).toThrow(/m@0.9.0 has been revoked/);
  });
  it('names what is wrong with a malformed manifest', () => {
    const bad = (patch: object, message: RegExp) => expect(() => manifest(patch as Partial<Manifest>)).toThrow(message);
    bad({ format: 'other' }, /"format" is "other"/);
    bad({ latest: '2.0.0' }, /"latest" \("2.0.0"\) must name one of "versions"/);
    bad({ versions: { '1.0.0': { engine: 'onnx', entry: 'x.onnx', files: [file] } } }, /entry "x.onnx" is not among its files/);
    bad({ versions: { '1.0.0': { engine: 'onnx', entry: 'm.onnx', files: [{ ...file, sha256: 'xyz' }] } } }, /needs a lowercase hex "sha256"/);
    bad({ versions: { '1.0.0': { engine: 'onnx', entry: '../m.onnx', files: [{ ...file, path: '../m.onnx' }] } } }, /safe relative "path"/);
    bad({ rollout: { version: '1.1.0', percent: 140 } }, /"rollout" needs a known "version" and a "percent" in \[0, 100\]/);
  });
});

describe('parseManifest: every check names the field and the source', () => {
  const valid = () => ({
    format: 'edgewise-manifest',
    version: 1,
    name: 'm',
    latest: '1.0.0',
    versions: { '1.0.0': { engine: 'onnx', entry: 'm.onnx', files: [file] } },
  });
  const v1 = (patch: object) => ({ '1.0.0': { engine: 'onnx', entry: 'm.onnx', files: [file], ...patch } });
  const rejects = (json: unknown, message: string) => {
    let error: unknown;
    try {
      parseManifest(json, 'https://x/m.json');
    } catch (e) {
      error = e;
    }
    expect(error, message).toMatchObject({ name: 'StoreError', code: 'E_MANIFEST', message: `https://x/m.json is not a valid Edgewise manifest: ${message}.` });
  };

  it.each([null, 'text', 3, true])('refuses %j as a whole', (json) => rejects(json, 'expected a JSON object'));

  it('refuses each top-level field that is missing or of the wrong kind', () => {
    rejects({ ...valid(), version: 2 }, '"version" is 2; this SDK reads version 1');
    rejects({ ...valid(), version: '1' }, '"version" is "1"; this SDK reads version 1');
    rejects({ ...valid(), name: '' }, '"name" must be a non-empty string');
    rejects({ ...valid(), name: 7 }, '"name" must be a non-empty string');
    rejects({ ...valid(), versions: null }, '"versions" must be an object');
    rejects({ ...valid(), versions: 'x' }, '"versions" must be an object');
    rejects({ ...valid(), revoked: '1.0.0' }, '"revoked" must be an array of versions');
    rejects({ ...valid(), latest: 1 }, '"latest" (1) must name one of "versions"');
    // A number that happens to match a version key is still not a version name.
    rejects({ ...valid(), latest: 1, versions: { '1': valid().versions['1.0.0'] } }, '"latest" (1) must name one of "versions"');
  });

  it('refuses each version and file field that is missing or unsafe', () => {
    rejects({ ...valid(), versions: v1({ engine: 3 }) }, 'version 1.0.0 needs "engine" and "entry"');
    rejects({ ...valid(), versions: v1({ entry: undefined }) }, 'version 1.0.0 needs "engine" and "entry"');
    rejects({ ...valid(), versions: { '1.0.0': null } }, 'version 1.0.0 needs "engine" and "entry"');
    rejects({ ...valid(), versions: v1({ files: [] }) }, 'version 1.0.0 needs a non-empty "files" list');
    rejects({ ...valid(), versions: v1({ files: 'm.onnx' }) }, 'version 1.0.0 needs a non-empty "files" list');
    rejects({ ...valid(), versions: v1({ files: [null] }) }, 'version 1.0.0 has a file without a safe relative "path"');
    rejects({ ...valid(), versions: v1({ files: [{ ...file, path: 5 }] }) }, 'version 1.0.0 has a file without a safe relative "path"');
    rejects({ ...valid(), versions: v1({ files: [{ ...file, size: -1 }] }) }, 'version 1.0.0 file m.onnx has an invalid "size"');
    rejects({ ...valid(), versions: v1({ files: [{ ...file, size: 1.5 }] }) }, 'version 1.0.0 file m.onnx has an invalid "size"');
    rejects({ ...valid(), versions: v1({ files: [{ ...file, sha256: 'AB'.repeat(32) }] }) }, 'version 1.0.0 file m.onnx needs a lowercase hex "sha256"');
    rejects({ ...valid(), versions: v1({ files: [{ ...file, sha256: 42 }] }) }, 'version 1.0.0 file m.onnx needs a lowercase hex "sha256"');
  });

  it('accepts the edges: an empty file, rollout at 0 % and 100 %; refuses an unknown rollout version', () => {
    expect(parseManifest({ ...valid(), versions: v1({ files: [{ ...file, size: 0 }] }) }).versions['1.0.0']!.files[0]!.size).toBe(0);
    expect(parseManifest({ ...valid(), rollout: { version: '1.0.0', percent: 0 } }).rollout).toEqual({ version: '1.0.0', percent: 0 });
    expect(parseManifest({ ...valid(), rollout: { version: '1.0.0', percent: 100 } }).rollout).toEqual({ version: '1.0.0', percent: 100 });
    rejects({ ...valid(), rollout: { version: '2.0.0', percent: 10 } }, '"rollout" needs a known "version" and a "percent" in [0, 100]');
    rejects({ ...valid(), rollout: { version: '1.0.0', percent: -1 } }, '"rollout" needs a known "version" and a "percent" in [0, 100]');
  });

  it('reads a missing "revoked" as none, keeps a given one, and names "manifest" when no source is given', () => {
    expect(parseManifest(valid()).revoked).toEqual([]);
    expect(parseManifest({ ...valid(), revoked: ['0.1.0'] }).revoked).toEqual(['0.1.0']);
    expect(() => parseManifest({})).toThrow(/^manifest is not a valid Edgewise manifest: "format" is undefined/);
  });

  it('names the manifest and what is available when a version is unknown or revoked', () => {
    const m = manifest();
    expect(() => resolveVersion(m, '2.0.0', 0)).toThrow(expect.objectContaining({ code: 'E_VERSION', message: 'm has no version "2.0.0"; available: 0.9.0, 1.0.0, 1.1.0.' }));
    expect(() => resolveVersion(m, '0.9.0', 0)).toThrow(expect.objectContaining({ code: 'E_VERSION', message: 'm@0.9.0 has been revoked and is never served.' }));
  });
});
