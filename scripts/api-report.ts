/**
 * `npm run api`: the public API of every package, as API Extractor reports it, checked in under
 * api/ so every change of the public surface shows in review. `npm run api -- --check` (run by the
 * test suite) fails when a report is out of date instead of rewriting it.
 */
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Extractor, ExtractorConfig, ExtractorLogLevel } from '@microsoft/api-extractor';

const repo = new URL('../', import.meta.url).pathname;
const check = process.argv.includes('--check');

/** Each package's entry points, except `./internal` (no stability promise, so no report). */
export function entryPoints(): Array<{ pkg: string; dir: string; subpath: string; dts: string; report: string }> {
  const out = [];
  for (const pkg of readdirSync(join(repo, 'packages')).sort()) {
    const dir = join(repo, 'packages', pkg);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { exports: Record<string, { types: string }> };
    for (const [subpath, entry] of Object.entries(manifest.exports)) {
      if (subpath === './internal') continue;
      const suffix = subpath === '.' ? '' : `-${subpath.slice(2).replace(/\//g, '-')}`;
      out.push({ pkg, dir, subpath, dts: join(dir, entry.types), report: `${pkg}${suffix}.api.md` });
    }
  }
  return out;
}

mkdirSync(join(repo, 'api'), { recursive: true });
let stale = 0;
for (const entry of entryPoints()) {
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: entry.dir,
      mainEntryPointFilePath: entry.dts,
      compiler: { overrideTsconfig: { compilerOptions: { lib: ['ES2023', 'DOM', 'DOM.Iterable'], skipLibCheck: true, moduleResolution: 'bundler', module: 'esnext' } } },
      apiReport: { enabled: true, reportFolder: join(repo, 'api'), reportTempFolder: join(repo, 'node_modules/.cache/api-report'), reportFileName: entry.report },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Warning } },
        extractorMessageReporting: { default: { logLevel: ExtractorLogLevel.None }, 'ae-missing-release-tag': { logLevel: ExtractorLogLevel.None } },
        tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
      },
    },
    configObjectFullPath: undefined,
    packageJsonFullPath: join(entry.dir, 'package.json'),
  });
  const result = Extractor.invoke(config, { localBuild: !check, showVerboseMessages: false, messageCallback: (m) => void (m.handled = m.logLevel !== ExtractorLogLevel.Warning && m.logLevel !== ExtractorLogLevel.Error ? true : m.handled) });
  if (result.apiReportChanged) {
    stale++;
    console.log(`${check ? 'out of date' : 'updated'}: api/${entry.report}`);
  }
  if (!result.succeeded && !result.apiReportChanged) throw new Error(`API Extractor failed on ${entry.pkg} ${entry.subpath}`);
}
if (check && stale > 0) {
  console.error(`${stale} API report(s) differ from the code: review the change and run "npm run api" to accept it.`);
  process.exitCode = 1;
} else console.log(`API reports: ${entryPoints().length} entry points, ${stale} ${check ? 'stale' : 'updated'}.`);
