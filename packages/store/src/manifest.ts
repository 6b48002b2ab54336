import { StoreError } from './errors.js';

export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
}

export interface ManifestVersion {
  engine: string;
  entry: string;
  files: ManifestFile[];
  inputs?: unknown[];
  outputs?: unknown[];
  /** Path of the version's drift baseline, relative to the manifest. */
  baseline?: string;
}

/**
 * A model's manifest: its versions (files with size and SHA-256), which is latest, which are
 * revoked (never served, even from cache), and an optional staged rollout of a newer version.
 *
 * @example
 * { "format": "edgewise-manifest", "version": 1, "name": "mnist", "latest": "1.1.0", "revoked": [],
 *   "rollout": { "version": "1.2.0", "percent": 10 }, "versions": { "1.1.0": { … } } }
 */
export interface Manifest {
  format: 'edgewise-manifest';
  version: 1;
  name: string;
  latest: string;
  revoked: string[];
  rollout?: { version: string; percent: number };
  versions: Record<string, ManifestVersion>;
}

const SHA256 = /^[0-9a-f]{64}$/;

/** Validates parsed JSON as a Manifest, naming the first thing wrong. */
export function parseManifest(json: unknown, source = 'manifest'): Manifest {
  const fail = (what: string): never => {
    throw new StoreError('E_MANIFEST', `${source} is not a valid Edgewise manifest: ${what}.`);
  };
  const m = json as Partial<Manifest> | null;
  if (typeof m !== 'object' || m === null) fail('expected a JSON object');
  if (m!.format !== 'edgewise-manifest') fail(`"format" is ${JSON.stringify(m!.format)}, expected "edgewise-manifest"`);
  if (m!.version !== 1) fail(`"version" is ${JSON.stringify(m!.version)}; this SDK reads version 1`);
  if (typeof m!.name !== 'string' || !m!.name) fail('"name" must be a non-empty string');
  if (typeof m!.versions !== 'object' || m!.versions === null) fail('"versions" must be an object');
  if (!Array.isArray(m!.revoked ?? [])) fail('"revoked" must be an array of versions');
  if (typeof m!.latest !== 'string' || !(m!.latest in m!.versions!)) fail(`"latest" (${JSON.stringify(m!.latest)}) must name one of "versions"`);
  for (const [version, v] of Object.entries(m!.versions!)) {
    if (typeof v?.engine !== 'string' || typeof v.entry !== 'string') fail(`version ${version} needs "engine" and "entry"`);
    if (!Array.isArray(v.files) || v.files.length === 0) fail(`version ${version} needs a non-empty "files" list`);
    for (const f of v.files) {
      if (typeof f?.path !== 'string' || f.path.includes('..')) fail(`version ${version} has a file without a safe relative "path"`);
      if (!Number.isSafeInteger(f.size) || f.size < 0) fail(`version ${version} file ${f.path} has an invalid "size"`);
      if (typeof f.sha256 !== 'string' || !SHA256.test(f.sha256)) fail(`version ${version} file ${f.path} needs a lowercase hex "sha256"`);
    }
    if (!v.files.some((f) => f.path === v.entry)) fail(`version ${version}: entry "${v.entry}" is not among its files`);
  }
  const rollout = m!.rollout;
  if (rollout && (!(rollout.version in m!.versions!) || !(rollout.percent >= 0 && rollout.percent <= 100))) {
    fail('"rollout" needs a known "version" and a "percent" in [0, 100]');
  }
  return { ...(m as Manifest), revoked: m!.revoked ?? [] };
}

/**
 * The version this device should run: an explicit one, or 'latest' (the rollout version instead when
 * this device's bucket falls inside the rollout percentage). Revoked versions are refused.
 */
export function resolveVersion(manifest: Manifest, requested: string, bucket: number): string {
  let version = requested;
  if (requested === 'latest') {
    version = manifest.rollout && bucket < manifest.rollout.percent ? manifest.rollout.version : manifest.latest;
  }
  if (!(version in manifest.versions)) {
    throw new StoreError('E_VERSION', `${manifest.name} has no version "${version}"; available: ${Object.keys(manifest.versions).join(', ')}.`);
  }
  if (manifest.revoked.includes(version)) throw new StoreError('E_VERSION', `${manifest.name}@${version} has been revoked and is never served.`);
  return version;
}
