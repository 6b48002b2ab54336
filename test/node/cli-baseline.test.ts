import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { main } from '@edgewise/cli';
import { parseBaseline, parseCsv } from '@edgewise/drift';
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
    expect((await run(['baseline', 'a.csv', '--out'])).err).toMatch(/option --out needs a value/);
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

  it('reads real-world CSV: a byte-order mark, CRLF, quoted fields with commas, quotes and newlines', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edgewise-'));
    const csv = join(dir, 'excel.csv');
    const rows = ['city,"note, free text",temp', 'Oslo,"cold, ""very""",-3', 'Rome,"two\nlines",18', 'Oslo,plain,-1', 'Rome,plain,21'];
    await writeFile(csv, '\uFEFF' + rows.join('\r\n') + '\r\n');
    const out = join(dir, 'b.json');
    const result = await run(['baseline', csv, '--out', out, '--categorical', 'city', '--bins', '2']);
    expect(result.code).toBe(0);
    // Three distinct notes in four rows read as free text, not categories: left out, by its full quoted name.
    expect(result.out).toMatch(/left out "note, free text"/);
    const baseline = parseBaseline(JSON.parse(await readFile(out, 'utf8')));
    expect(baseline.rows).toBe(4);
    expect(baseline.features.city).toMatchObject({ kind: 'categorical', counts: { Oslo: 2, Rome: 2 } });
    expect(parseCsv(await readFile(csv, 'utf8'))['note, free text']).toEqual(['cold, "very"', 'two\nlines', 'plain', 'plain']);
    expect(baseline.features.temp).toMatchObject({ kind: 'numeric', n: 4, min: -3, max: 21 });
  });
});
