import { parse } from 'csv-parse/browser/esm/sync';
import type { ColumnValue } from './baseline.js';

/**
 * Parses CSV text into columns keyed by header, with csv-parse (RFC 4180: quoted fields, doubled
 * quotes, newlines inside quotes, CRLF, a byte-order mark). Cells that parse as finite numbers become
 * numbers; empty cells become null. A row with the wrong number of cells is an error naming the line.
 */
export function parseCsv(text: string): Record<string, ColumnValue[]> {
  let rows: string[][];
  try {
    rows = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false }) as string[][];
  } catch (error) {
    const e = error as Error & { code?: string; lines?: number; record?: unknown[] };
    if (e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' && e.record) {
      const header = /expect (\d+)/.exec(e.message)?.[1] ?? '?';
      throw new RangeError(`parseCsv: row ${e.lines} has ${e.record.length} cells; the header has ${header}.`, { cause: error });
    }
    throw new RangeError(`parseCsv: ${e.message}`, { cause: error });
  }
  if (rows.length === 0) throw new RangeError('parseCsv: the file is empty (a header row is required).');
  const [header, ...body] = rows;
  const columns: Record<string, ColumnValue[]> = Object.fromEntries(header!.map((h) => [h, []]));
  for (const r of body) {
    r.forEach((value, j) => {
      const trimmed = value.trim();
      const n = Number(trimmed);
      columns[header![j]!]!.push(trimmed === '' ? null : Number.isFinite(n) ? n : value);
    });
  }
  return columns;
}
