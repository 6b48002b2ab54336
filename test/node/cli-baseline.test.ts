import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { main } from '@edgewise/cli';
import { parseBaseline } from '@edgewise/drift';
import { describe, expect, it } from 'vitest';
import { packageFile } from '../../models/scripts/package-file.js';

const run = async (argv: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join('\n'), err: err.join('\n') };
};

describe('edgewise baseline', () => {
  it('builds a valid baseline from seattle-weather.csv through the installed bin, leaving out the date column', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edgewise-'));
    const out = join(dir, 'baseline.json');
    const csv = packageFile('vega-datasets', 'data/seattle-weather.csv');
    const { stdout } = await promisify(execFile)('npx', ['edgewise', 'baseline', csv, '--out', out, '--bins', '8'], { cwd: process.cwd() });
    expect(stdout).toMatch(/left out "date"/);
    const baseline = parseBaseline(JSON.parse(await readFile(out, 'utf8')));
    expect(Object.keys(baseline.features).sort()).toEqual(['precipitation', 'temp_max', 'temp_min', 'weather', 'wind']);
    expect(baseline.features.weather).toMatchObject({ kind: 'categorical', n: 1461 });
    const temp = baseline.features.temp_max!;
    expect(temp.kind === 'numeric' && temp.edges.length).toBe(7);
  });

  it('answers bad command lines with exit 2 and a message naming the problem', async () => {
    expect(await run([])).toMatchObject({ code: 2 });
    expect((await run(['baseline', 'a.csv'])).err).toMatch(/--out <baseline.json> is required/);
    expect((await run(['baseline', 'a.csv', '--out', 'b', '--bins', 'ten'])).err).toMatch(/--bins must be an integer in \[2, 1000\]; received ten/);
    expect((await run(['baseline', 'a.csv', '--colour', 'red'])).err).toMatch(/unknown option --colour/);
    expect((await run(['frobnicate'])).err).toMatch(/unknown command "frobnicate"/);
  });

  it('fails with exit 1 on unreadable or ragged CSV, and names the column it does not know', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edgewise-'));
    expect(await run(['baseline', join(dir, 'missing.csv'), '--out', join(dir, 'b.json')])).toMatchObject({ code: 1 });
    const ragged = join(dir, 'ragged.csv');
    await writeFile(ragged, 'a,b\n1,2\n3\n');
    expect((await run(['baseline', ragged, '--out', join(dir, 'b.json')])).err).toMatch(/row 3 has 1 cells; the header has 2/);
    const ok = join(dir, 'ok.csv');
    await writeFile(ok, 'a,b\n1,2\n3,4\n');
    expect((await run(['baseline', ok, '--out', join(dir, 'b.json'), '--categorical', 'c'])).err).toMatch(/column "c" is not in/);
  });
});
