import type { ColumnValue } from './baseline.js';

/**
 * Parses CSV text (RFC 4180 quoting) into columns keyed by header. Cells that parse as finite
 * numbers become numbers; empty cells become null.
 */
export function parseCsv(text: string): Record<string, ColumnValue[]> {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  const nonEmpty = rows.filter((r) => !(r.length === 1 && r[0] === ''));
  if (nonEmpty.length === 0) throw new RangeError('parseCsv: the file is empty (a header row is required).');
  const [header, ...body] = nonEmpty;
  const columns: Record<string, ColumnValue[]> = Object.fromEntries(header!.map((h) => [h, []]));
  body.forEach((r, line) => {
    if (r.length !== header!.length) {
      throw new RangeError(`parseCsv: row ${line + 2} has ${r.length} cells; the header has ${header!.length}.`);
    }
    r.forEach((value, j) => {
      const trimmed = value.trim();
      const n = Number(trimmed);
      columns[header![j]!]!.push(trimmed === '' ? null : Number.isFinite(n) ? n : value);
    });
  });
  return columns;
}
