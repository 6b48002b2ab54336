import { readFile, rename, writeFile } from 'node:fs/promises';
import { buildBaseline, parseCsv, type ColumnValue } from '@edgewise/drift';
import { UsageError, intFlag, listFlag, parseArgs } from './args.js';

export const BASELINE_USAGE = `edgewise baseline <data.csv> --out <baseline.json> [--bins 10] [--categorical a,b] [--exclude a,b] [--k 400]

Builds a drift baseline from training data: per numeric column, bin edges at the training quantiles,
counts per bin, and a KLL sketch; per categorical column, counts. Columns of text whose values are
mostly distinct (ids, dates) are left out, with a note.`;

/** Text columns with more distinct values than this share of rows are identifiers, not categories. */
const ID_LIKE_SHARE = 0.5;

export async function baselineCommand(argv: string[], log: (line: string) => void): Promise<void> {
  const { positional, flags } = parseArgs(argv, ['out', 'bins', 'categorical', 'exclude', 'k']);
  if (positional.length !== 1) throw new UsageError(`expected one CSV file; received ${positional.length}`);
  const out = flags.get('out');
  if (!out) throw new UsageError('--out <baseline.json> is required');
  const bins = intFlag(flags, 'bins', 10, 2, 1000);
  const k = intFlag(flags, 'k', 400, 8, 65535);
  const categorical = listFlag(flags, 'categorical');
  const exclude = new Set(listFlag(flags, 'exclude'));

  const columns = parseCsv(await readFile(positional[0]!, 'utf8'));
  for (const name of [...categorical, ...exclude]) {
    if (!(name in columns)) throw new UsageError(`column "${name}" is not in ${positional[0]}; columns: ${Object.keys(columns).join(', ')}`);
  }
  const kept: Record<string, ColumnValue[]> = {};
  for (const [name, values] of Object.entries(columns)) {
    if (exclude.has(name)) continue;
    const isText = values.some((v) => typeof v === 'string');
    const distinct = new Set(values).size;
    if (isText && !categorical.includes(name) && distinct > values.length * ID_LIKE_SHARE) {
      log(`note: left out "${name}": ${distinct} distinct text values in ${values.length} rows looks like an id or date (use --categorical to keep it)`);
      continue;
    }
    kept[name] = values;
  }
  const baseline = buildBaseline(kept, { bins, k, categorical });
  // Written beside, then renamed: a crash never leaves a half-written baseline in place.
  await writeFile(`${out}.tmp`, JSON.stringify(baseline, null, 1));
  await rename(`${out}.tmp`, out);
  for (const [name, f] of Object.entries(baseline.features)) {
    log(f.kind === 'numeric' ? `${name}: numeric, n=${f.n}, ${f.edges.length + 1} bins, range [${f.min}, ${f.max}]` : `${name}: categorical, n=${f.n}, ${Object.keys(f.counts).length} categories`);
  }
  log(`wrote ${out} (${baseline.rows} rows, ${Object.keys(baseline.features).length} features)`);
}
