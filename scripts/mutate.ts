/**
 * `npm run mutate [-- --package <name>]... [--part <part>]... [--concurrency <n>] [--force] [--ignore-static]`:
 * StrykerJS over the node logic of each package (scope: scripts/mutate/packages.ts), one package
 * at a time; a package split into parts runs one part at a time (`--part` picks some).
 *
 * Incremental: each run's results are kept in mutation/incremental/<name>.json (or
 * <name>.<part>.json; checked in),
 * so a run re-tests only the mutants whose code or covering tests changed since that file was
 * written, and a clean clone reproduces the committed report without re-running everything.
 * `--force` re-tests every mutant. Prints the mutation score per package; HTML and JSON reports go
 * to reports/mutation/<name>/ (not checked in). Not part of `npm test`: a full run takes hours on
 * two cores.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Stryker } from '@stryker-mutator/core';
import { isMutationPackage, MUTATION_PACKAGES, mutationRuns, type MutationPackage, type MutationRun } from './mutate/packages.js';
import { checkIgnoreList } from './mutate/check-ignore-list.js';
import { scoreOf, sumScores, type MutationScore } from './mutate/score.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TARGET = 80;

const { values } = parseArgs({
  options: {
    package: { type: 'string', multiple: true },
    part: { type: 'string', multiple: true },
    concurrency: { type: 'string', default: '1' },
    force: { type: 'boolean', default: false },
    'ignore-static': { type: 'boolean', default: false },
  },
});

const packages: MutationPackage[] = (values.package ?? MUTATION_PACKAGES).map((name) => {
  if (!isMutationPackage(name)) throw new RangeError(`--package must be one of ${MUTATION_PACKAGES.join(', ')}; received "${name}"`);
  return name;
});
const concurrency = Number(values.concurrency);
if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`--concurrency must be a positive integer; received "${values.concurrency}"`);

process.chdir(root);
for (const problem of checkIgnoreList(root)) console.warn(`[mutate] mutation/ignored.json: ${problem}`);

if (values.part?.length && packages.length !== 1) throw new RangeError('--part needs exactly one --package');
const runs = packages.flatMap((name) => mutationRuns(name, values.part));

async function mutate(run: MutationRun): Promise<MutationScore> {
  // Read by vitest.mutate.config.ts in Stryker's test-runner processes (they inherit the env).
  process.env.EDGEWISE_MUTATE_PACKAGE = run.package;
  const reportDir = join('reports', 'mutation', run.label);
  mkdirSync(reportDir, { recursive: true });
  const stryker = new Stryker({
    testRunner: 'vitest',
    vitest: { configFile: 'vitest.mutate.config.ts', related: false },
    plugins: ['@stryker-mutator/vitest-runner', './scripts/mutate/ignore-list-plugin.mjs'],
    ignorers: ['edgewise-ignore-list'],
    mutate: run.mutate,
    coverageAnalysis: 'perTest',
    // Static mutants (module-level code) each need every test and a fresh module graph: on two
    // cores a big package's static mutants alone take an hour. They then show as Ignored.
    ignoreStatic: values['ignore-static'],
    concurrency,
    incremental: true,
    force: values.force,
    incrementalFile: join('mutation', 'incremental', `${run.label}.json`),
    reporters: ['html', 'json', 'progress'],
    htmlReporter: { fileName: join(reportDir, 'index.html') },
    jsonReporter: { fileName: join(reportDir, 'mutation.json') },
    thresholds: { high: TARGET, low: 60, break: null },
    tempDirName: '.stryker-tmp',
    // Not needed by node tests; keeps the sandbox copy small.
    ignorePatterns: ['/bench', '/demo', '/api', '/tools', '/docs', '/reports', '/.collector-data', '/test-results'],
    cleanTempDir: true,
    // vitest transpiles without type checking, so no need to add @ts-nocheck; and Stryker's
    // tsconfig rewriting calls the TypeScript JS API, which TypeScript 7 (native) no longer has:
    // point it at a file that does not exist so it skips (nothing here references outside the copy).
    disableTypeChecks: false,
    tsconfigFile: 'tsconfig.mutate-none.json',
  });
  return scoreOf(await stryker.runMutationTest());
}

const scores: Record<string, MutationScore> = {};
for (const run of runs) {
  console.log(`\n[mutate] ${run.label}: mutating ${run.mutate.join(' ')}`);
  scores[run.label] = await mutate(run);
}

const summaryFile = join('mutation', 'scores.json');
const summary: Record<string, MutationScore & { measuredAt: string }> = existsSync(summaryFile) ? JSON.parse(readFileSync(summaryFile, 'utf8')) : {};
const measuredAt = new Date().toISOString();
for (const [label, score] of Object.entries(scores)) summary[label] = { ...score, measuredAt };
// A package with parts scores over all of them: those run now and those kept from earlier runs.
for (const name of packages) {
  const parts = mutationRuns(name).filter((run) => run.label !== name);
  if (parts.length === 0) continue;
  const measured = parts.flatMap((run) => summary[run.label] ?? []);
  if (measured.length < parts.length) {
    console.log(`[mutate] ${name}: ${parts.length - measured.length} of ${parts.length} parts not measured yet, no package score`);
    continue;
  }
  scores[name] = sumScores(measured);
  summary[name] = { ...scores[name], measuredAt: measured.map((part) => part.measuredAt).sort()[0]! };
}
writeFileSync(summaryFile, `${JSON.stringify(summary, null, 2)}\n`);

console.log('\nmutation score per package (killed + timed out) / (killed + timed out + survived + no coverage):');
for (const [name, s] of Object.entries(scores)) {
  const verdict = s.score >= TARGET ? 'meets' : 'below';
  console.log(`  ${name.padEnd(10)} ${s.score.toFixed(1).padStart(5)} %  ${verdict} ${TARGET} %  (killed ${s.killed}, timeout ${s.timeout}, survived ${s.survived}, no coverage ${s.noCoverage}, ignored ${s.ignored}, errors ${s.errors})  reports/mutation/${name}/index.html`);
}
