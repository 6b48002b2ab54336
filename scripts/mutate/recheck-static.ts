/**
 * `npm run mutate:recheck-static [-- --package <name>]...`: re-tests by hand the static mutants
 * Stryker left Survived, because Stryker cannot be trusted on them here:
 * - With per-test coverage and a test filter, StrykerJS 9.6/10.0 activates a static mutant (code
 *   run at module load: constructors called in a describe body, module constants) after the module
 *   was imported, so a test that kills it by hand reports it alive (stryker-js#6144, #6209).
 * - Incremental runs reuse a Survived static mutant for ever, whatever tests were added since
 *   (documented: stryker-js#6119).
 * Each one is written into its source file, the package's mutation tests run (the same
 * vitest.mutate.config.ts Stryker runs, stopping at the first failure), and the file is restored.
 * Results go to mutation/static-recheck.json beside Stryker's own mutation/scores.json, which is
 * left as Stryker measured it; this prints both scores. A killed run (SIGKILL) can leave a mutant
 * in a source file: `git status` shows it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { applyMutant, type ReportMutant } from './apply-mutant.js';
import type { MutantResult } from '@stryker-mutator/api/core';
import { isMutationPackage, MUTATION_PACKAGES, mutationRuns } from './packages.js';
import { scoreOf, withScore } from './score.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
process.chdir(root);
const { values } = parseArgs({
  options: { package: { type: 'string', multiple: true }, file: { type: 'string', multiple: true }, 'timeout-s': { type: 'string', default: '180' } },
});
const packages = (values.package ?? MUTATION_PACKAGES).map((name) => {
  if (!isMutationPackage(name)) throw new RangeError(`--package must be one of ${MUTATION_PACKAGES.join(', ')}; received "${name}"`);
  return name;
});
const timeoutS = Number(values['timeout-s']);
if (!(timeoutS > 0)) throw new RangeError(`--timeout-s must be a positive number of seconds; received "${values['timeout-s']}"`);
const timeoutMs = timeoutS * 1000;
/** `--file packages/core/src/model.ts` re-tests that file's mutants only and updates their entries in the record. */
const onlyFiles = values.file;
for (const path of onlyFiles ?? []) {
  const runs = packages.flatMap((name) => mutationRuns(name));
  const known = runs.some((run) => existsSync(incrementalFile(run.label)) && path in (JSON.parse(readFileSync(incrementalFile(run.label), 'utf8')) as Incremental).files);
  if (!known) throw new RangeError(`--file ${path}: no mutants of it in the incremental reports of ${packages.join(', ')} (a path from the repository root, as in mutation/incremental/*.json)`);
}

function incrementalFile(label: string): string {
  return join('mutation', 'incremental', `${label}.json`);
}
interface Incremental {
  files: Record<string, { source: string; mutants: Array<ReportMutant & { status: string }> }>;
}
type Verdict = 'killed' | 'timeout' | 'survived';
interface Checked {
  file: string;
  line: number;
  mutator: string;
  replacement: string;
  verdict: Verdict;
}
interface Recheck {
  measuredAt: string;
  /** Static mutants Stryker reported Survived whose file is unchanged since (the others it re-tests itself). */
  checked: number;
  killed: number;
  timeout: number;
  /** Stryker's score, and the score with the killed (or timed-out) ones counted as detected. */
  strykerScore: number;
  rechecked: number;
  /** Each mutant re-tested and what became of it; `--file` replaces that file's entries only. */
  mutants: Checked[];
}

let restore: (() => void) | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => (restore?.(), process.exit(130)));

const out: Record<string, Recheck> = existsSync('mutation/static-recheck.json') ? JSON.parse(readFileSync('mutation/static-recheck.json', 'utf8')) : {};
for (const name of packages) {
  for (const run of mutationRuns(name)) {
    const file = incrementalFile(run.label);
    if (!existsSync(file)) continue;
    const report = JSON.parse(readFileSync(file, 'utf8')) as Incremental;
    const { score: strykerScore, ...counts } = scoreOf(Object.values(report.files).flatMap((f) => f.mutants) as unknown as MutantResult[]);
    // `--file`: the other files' verdicts stay as last recorded (their sources must be unchanged too).
    const kept = onlyFiles ? (out[run.label]?.mutants ?? []).filter((m) => !onlyFiles.includes(m.file) && existsSync(m.file) && readFileSync(m.file, 'utf8') === report.files[m.file]?.source) : [];
    const mutants: Checked[] = [...kept];
    for (const [path, entry] of Object.entries(report.files)) {
      const original = readFileSync(path, 'utf8');
      if (original !== entry.source) continue; // changed since: Stryker's next run re-tests it
      if (onlyFiles && !onlyFiles.includes(path)) continue;
      for (const mutant of entry.mutants.filter((m) => m.static && m.status === 'Survived')) {
        restore = () => writeFileSync(path, original);
        writeFileSync(path, applyMutant(original, mutant));
        const test = spawnSync('npx', ['vitest', 'run', '--config', 'vitest.mutate.config.ts', '--bail=1'], {
          env: { ...process.env, EDGEWISE_MUTATE_PACKAGE: run.package },
          stdio: 'ignore',
          timeout: timeoutMs,
        });
        restore();
        restore = undefined;
        // A run that could not start, or died of a signal it was not sent for the timeout, is no verdict.
        const timedOut = (test.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
        if (test.error && !timedOut) throw new Error(`could not run the ${run.package} mutation tests: ${test.error.message}`);
        if (!timedOut && test.status === null) throw new Error(`the ${run.package} mutation tests died of ${test.signal} under ${path}:${mutant.location.start.line}`);
        const verdict: Verdict = timedOut ? 'timeout' : test.status === 0 ? 'survived' : 'killed';
        mutants.push({ file: path, line: mutant.location.start.line, mutator: mutant.mutatorName, replacement: mutant.replacement ?? '', verdict });
        console.log(`[recheck] ${run.label} ${path}:${mutant.location.start.line} ${mutant.mutatorName} → ${verdict}`);
      }
    }
    const count = (verdict: Verdict) => mutants.filter((m) => m.verdict === verdict).length;
    const retested = mutants.length > kept.length;
    const result: Recheck = {
      // A package none of whose mutants were re-tested this time keeps the date of its verdicts.
      measuredAt: retested || !out[run.label] ? new Date().toISOString() : out[run.label]!.measuredAt,
      checked: mutants.length,
      killed: count('killed'),
      timeout: count('timeout'),
      strykerScore,
      rechecked: withScore({ ...counts, killed: counts.killed + count('killed'), timeout: counts.timeout + count('timeout'), survived: counts.survived - count('killed') - count('timeout') }).score,
      mutants,
    };
    out[run.label] = result;
    console.log(`[recheck] ${run.label}: ${result.checked} static survivors re-tested, ${result.killed} killed, ${result.timeout} timed out, ${count('survived')} survive; score ${result.strykerScore} % as Stryker reported it, ${result.rechecked} % rechecked`);
  }
}
writeFileSync('mutation/static-recheck.json', `${JSON.stringify(out, null, 2)}\n`);
