/** A position as Stryker's mutation report writes it: 1-based line, 1-based column. */
export interface ReportPosition {
  line: number;
  column: number;
}

/** What a recheck needs of a mutant in Stryker's incremental file (mutation-testing-report-schema). */
export interface ReportMutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: string;
  static?: boolean;
  location: { start: ReportPosition; end: ReportPosition };
}

function offsetOf(source: string, { line, column }: ReportPosition): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = source.indexOf('\n', offset);
    if (next < 0) throw new RangeError(`line ${line} is past the end of the source (${l} lines)`);
    offset = next + 1;
  }
  return offset + column - 1;
}

/** `source` with the mutant's span replaced by its replacement: the code Stryker tested under that mutant. */
export function applyMutant(source: string, mutant: ReportMutant): string {
  if (mutant.replacement === undefined) throw new TypeError(`mutant ${mutant.id} (${mutant.mutatorName}) has no replacement`);
  const start = offsetOf(source, mutant.location.start);
  const end = offsetOf(source, mutant.location.end);
  if (end < start) throw new RangeError(`mutant ${mutant.id} ends before it starts`);
  return source.slice(0, start) + mutant.replacement + source.slice(end);
}
