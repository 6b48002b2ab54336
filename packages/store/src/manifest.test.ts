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
