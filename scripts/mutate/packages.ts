/**
 * What `npm run mutate` mutates in each package, and which node tests may kill those mutants.
 *
 * Scope is the logic that runs in Node (the list): platform adapters that only run in a
 * browser (IndexedDB, OPFS, Web Locks) and process entry points are left out, because no node
 * test can reach them and their mutants would only measure that. Tests that spawn other
 * processes are left out too: a mutant is switched on inside Stryker's test process, so a child
 * process would run the unmutated code and prove nothing.
 */
export interface MutationScope {
  /** Globs of source files to mutate (relative to the repository root). */
  mutate: string[];
  /** Globs of the node test files run against those mutants. */
  tests: string[];
  /**
   * Optional split of `mutate` into parts run one Stryker run each, with an incremental file each
   * (mutation/incremental/<package>.<part>.json). Stryker writes its incremental file only when a
   * run ends, so a package whose run takes hours is cut into runs short enough to finish; the
   * package's score is over all its parts.
   */
  parts?: Record<string, string[]>;
}

const src = (pkg: string, ...files: string[]) => files.map((f) => `packages/${pkg}/src/${f}`);
const unitTests = (pkg: string) => `packages/${pkg}/src/**/*.test.ts`;

export const MUTATION_SCOPES = {
  wire: {
    mutate: src('wire', 'baseline-format.ts', 'report-keys.ts', 'report-schema.ts', 'report.ts', 'window-grid.ts'),
    tests: [unitTests('wire'), 'packages/collector/src/report-check.test.ts', 'test/node/uplink-privacy.test.ts'],
  },
  drift: {
    // Not the labels/windows/shadow/canary node suites: each loads a real model and a collector
    // (10–20 s a file), and a mutant reruns every covering file. Unit tests beside each module
    // (fake clock, hand-built tensors) carry those paths instead.
    // feature-pass-bytes.ts is generated (the assembled .wat, checked fresh by a test): a mutant of
    // its bytes tests the generator, not the tests, and instrumenting it fails that freshness test.
    mutate: ['packages/drift/src/*.ts', '!packages/drift/src/index.ts', '!packages/drift/src/*.test.ts', '!packages/drift/src/feature-pass-bytes.ts'],
    tests: [unitTests('drift'), 'test/node/drift-real-data.test.ts', 'test/node/monitor.test.ts'],
  },
  uplink: {
    // indexeddb-outbox.ts is a browser adapter (tested in real Chromium), out of a node run's reach.
    mutate: src('uplink', 'privacy.ts', 'outbox.ts', 'key-value-outbox.ts', 'delivery.ts', 'report-id.ts', 'uplink.ts'),
    tests: [unitTests('uplink'), 'test/node/uplink-delivery.test.ts', 'test/node/uplink-privacy.test.ts', 'test/node/adapters-contract.test.ts'],
  },
  store: {
    mutate: src('store', 'version-policy.ts', 'manifest.ts', 'manifest-fetch.ts', 'model-cache.ts', 'version-store.ts', 'chunker.ts', 'file-names.ts', 'space-manager.ts', 'limits.ts', 'download.ts', 'memory-store.ts', 'file-system-store.ts'),
    tests: [unitTests('store'), 'test/node/model-cache.test.ts', 'test/node/model-cache-lifecycle.test.ts', 'test/node/model-delivery.test.ts', 'test/node/file-names.test.ts', 'test/node/generated-manifests.test.ts', 'test/node/adapters-contract.test.ts'],
  },
  core: {
    mutate: src('core', 'lifecycle.ts', 'lifecycle-driver.ts', 'validate-inputs.ts', 'load-options.ts', 'backend-selection.ts', 'fastest-backend.ts', 'failure.ts', 'error-serialization.ts', 'model.ts', 'serial-queue.ts', 'run-deadline.ts', 'tensor.ts', 'model-source.ts', 'runtime.ts'),
    tests: [unitTests('core'), 'test/node/node-runtime.test.ts', 'test/node/engine-failures.test.ts', 'test/node/fault-matrix.test.ts', 'test/node/multi-file-model.test.ts', 'test/node/model-cache.test.ts'],
  },
  collector: {
    mutate: src('collector', 'report-check.ts', 'rollup.ts', 'rollups.ts', 'ingest-writer.ts', 'ingest-queue.ts', 'baseline-registry.ts', 'retention.ts', 'laplace.ts', 'drift.ts', 'population-drift.ts', 'series.ts', 'json-body.ts', 'rate-limit.ts', 'layout.ts'),
    // Its HTTP suites start a collector on PGlite per file, so a mutant takes seconds: about 3 h
    // for the package on two cores. Two parts of roughly equal size, each a run that ends.
    parts: {
      checks: src('collector', 'report-check.ts', 'rollup.ts', 'laplace.ts', 'drift.ts', 'population-drift.ts', 'series.ts', 'json-body.ts', 'layout.ts'),
      storage: src('collector', 'rollups.ts', 'ingest-writer.ts', 'ingest-queue.ts', 'baseline-registry.ts', 'retention.ts', 'rate-limit.ts'),
    },
    tests: [unitTests('collector'), 'test/node/collector.test.ts', 'test/node/collector-attacks.test.ts', 'test/node/uplink-delivery.test.ts'],
  },
} satisfies Record<string, MutationScope>;

export type MutationPackage = keyof typeof MUTATION_SCOPES;

export const MUTATION_PACKAGES = Object.keys(MUTATION_SCOPES) as MutationPackage[];

/** One Stryker run: a whole package, or one part of a package that has parts. */
export interface MutationRun {
  package: MutationPackage;
  /** `collector.storage` for a part, the package name otherwise: names its incremental file and report folder. */
  label: string;
  mutate: string[];
}

export function mutationRuns(name: MutationPackage, onlyParts?: readonly string[]): MutationRun[] {
  const scope: MutationScope = MUTATION_SCOPES[name];
  if (!scope.parts) {
    if (onlyParts?.length) throw new RangeError(`--part: ${name} has no parts`);
    return [{ package: name, label: name, mutate: scope.mutate }];
  }
  const names = Object.keys(scope.parts);
  for (const part of onlyParts ?? []) {
    if (!names.includes(part)) throw new RangeError(`--part must be one of ${names.join(', ')} for ${name}; received "${part}"`);
  }
  return Object.entries(scope.parts)
    .filter(([part]) => !onlyParts?.length || onlyParts.includes(part))
    .map(([part, mutate]) => ({ package: name, label: `${name}.${part}`, mutate }));
}

export function isMutationPackage(name: string): name is MutationPackage {
  return Object.hasOwn(MUTATION_SCOPES, name);
}
