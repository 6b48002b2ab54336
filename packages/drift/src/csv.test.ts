import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.js';

describe('parseCsv', () => {
  it('columns by header: numbers (trimmed) become numbers, empty cells null, other text stays as written', () => {
    expect(parseCsv('t, city ,n\n 1.5 ,Oslo,\n2, Bergen ,x\n')).toEqual({ t: [1.5, 2], ' city ': ['Oslo', ' Bergen '], n: [null, 'x'] });
  });

  it('quoted fields, doubled quotes, newlines inside quotes, CRLF and a byte-order mark', () => {
    expect(parseCsv('\uFEFFa,b\r\n"x, ""y""","line\nbreak"\r\n3,4\r\n')).toEqual({ a: ['x, "y"', 3], b: ['line\nbreak', 4] });
  });

  it('Infinity and NaN text are not finite numbers: kept as text', () => {
    expect(parseCsv('v\nInfinity\nNaN\n1e3\n')).toEqual({ v: ['Infinity', 'NaN', 1000] });
  });

  it('a header alone gives empty columns', () => {
    expect(parseCsv('a,b\n')).toEqual({ a: [], b: [] });
  });

  it('an empty file is a RangeError asking for a header', () => {
    expect(() => parseCsv('')).toThrow(new RangeError('parseCsv: the file is empty (a header row is required).'));
    expect(() => parseCsv('\n\n')).toThrow(RangeError);
  });

  it('a row with the wrong number of cells names its line and both counts', () => {
    expect(() => parseCsv('a,b\n1,2\n3\n')).toThrow(new RangeError('parseCsv: row 3 has 1 cells; the header has 2.'));
  });

  it('other malformed CSV is a RangeError carrying the parser\'s reason and cause', () => {
    let thrown: unknown;
    try {
      parseCsv('a,b\n"unterminated,2\n');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(RangeError);
    expect((thrown as Error).message).toMatch(/^parseCsv: /);
    expect((thrown as Error).cause).toBeInstanceOf(Error);
  });
});
